"""CostCentre moves from costs/ to organisation/ in Django's state only: the tables
(costs_costcentre, costs_historicalcostcentre) and every foreign key to them stay as they
are in the database (docs/decisions/0004-cost-centre-in-organisation.md)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('costs', '0006_usage_record_set_based_references'),
        ('organisation', '0007_cost_centre_moves_here'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='costcentre',
                    name='budget_manager',
                ),
                migrations.RemoveField(
                    model_name='costcentre',
                    name='unit',
                ),
                migrations.AlterField(
                    model_name='statementrequest',
                    name='cost_centre',
                    field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='statement_requests', to='organisation.costcentre', verbose_name='cost centre'),
                ),
                migrations.AlterField(
                    model_name='historicalstatementrequest',
                    name='cost_centre',
                    field=models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisation.costcentre', verbose_name='cost centre'),
                ),
                migrations.AlterField(
                    model_name='usagerecord',
                    name='cost_centre',
                    field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.PROTECT, related_name='usage_records', to='organisation.costcentre', verbose_name='cost centre'),
                ),
                migrations.RemoveField(
                    model_name='historicalcostcentre',
                    name='budget_manager',
                ),
                migrations.RemoveField(
                    model_name='historicalcostcentre',
                    name='history_user',
                ),
                migrations.RemoveField(
                    model_name='historicalcostcentre',
                    name='unit',
                ),
            ],
        ),
    ]
