"""CostCentre moves from costs/ to organisation/ in Django's state only: the tables
(costs_costcentre, costs_historicalcostcentre) and every foreign key to them stay as they
are in the database (docs/decisions/0004-cost-centre-in-organisation.md)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('devices', '0001_initial'),
        ('organisation', '0007_cost_centre_moves_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='device',
                    name='cost_centre',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='devices', to='organisation.costcentre', verbose_name='cost centre'),
                ),
                migrations.AlterField(
                    model_name='historicaldevice',
                    name='cost_centre',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisation.costcentre', verbose_name='cost centre'),
                ),
                migrations.AlterField(
                    model_name='historicalorder',
                    name='cost_centre',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisation.costcentre', verbose_name='cost centre'),
                ),
                migrations.AlterField(
                    model_name='order',
                    name='cost_centre',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='device_orders', to='organisation.costcentre', verbose_name='cost centre'),
                ),
            ],
        ),
    ]
