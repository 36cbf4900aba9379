"""CostCentre moves from costs/ to organisation/ in Django's state only: the tables
(costs_costcentre, costs_historicalcostcentre) and every foreign key to them stay as they
are in the database (docs/decisions/0004-cost-centre-in-organisation.md)."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('costs', '0007_cost_centre_in_organisation'),
        ('devices', '0002_cost_centre_in_organisation'),
        ('subscriptions', '0009_cost_centre_in_organisation'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(
                    name='CostCentre',
                ),
                migrations.DeleteModel(
                    name='HistoricalCostCentre',
                ),
            ],
        ),
    ]
