"""CostCentre moves from costs/ to organisation/ in Django's state only: the tables
(costs_costcentre, costs_historicalcostcentre) and every foreign key to them stay as they
are in the database (docs/decisions/0004-cost-centre-in-organisation.md)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0007_cost_centre_moves_here'),
        ('subscriptions', '0008_telesok_search_text'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='historicalsubscription',
                    name='cost_centre',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisation.costcentre', verbose_name='cost centre'),
                ),
                migrations.AlterField(
                    model_name='subscription',
                    name='cost_centre',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='subscriptions', to='organisation.costcentre', verbose_name='cost centre'),
                ),
            ],
        ),
    ]
