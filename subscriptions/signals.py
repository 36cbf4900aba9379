"""Signals of the register for the apps above it (architecture.md, "How a lower app hears
from an upper one"). Both are sent inside the transaction of the change, so a receiver's
writes (devices: the phone back to stock, or to the new holder) commit or roll back with it.

- subscription_cancelled(sender=Subscription, subscription, actor): SUB-5, X-3 "Säg upp".
- subscription_handed_over(sender=Subscription, subscription, actor, previous_holder):
  X-3 "Lämna över": the subscription has its new holder, unit and cost centre.
"""

from django.dispatch import Signal

subscription_cancelled = Signal()
subscription_handed_over = Signal()
