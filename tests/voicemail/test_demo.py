"""The demo municipality's voicemail: the demo employee's röstbrevlåda (approved, greeting
confirmed, on) with a registered message, and a talsvar; a second run adds none."""

from tests.demo.test_seed_demo import seed  # noqa: F401
from voicemail.choices import BoxKind
from voicemail.models import MessageRecord, VoicemailBox


def test_demo_voicemail_once(seed):  # noqa: F811
    seed()
    box = VoicemailBox.objects.get(subscription__holder__user__username="anstalld")
    assert box.is_on and box.kind == BoxKind.ROSTBREVLADA
    assert box.approved_by.username == "enhetschef"
    assert box.greeting_confirmed_by.user.username == "anstalld"
    assert MessageRecord.objects.get().case_number == "VOF 2026/2345"
    boxes = VoicemailBox.objects.count()
    seed()
    assert (VoicemailBox.objects.count(), MessageRecord.objects.count()) == (boxes, 1)
