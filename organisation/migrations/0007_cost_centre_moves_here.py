"""CostCentre moves from costs/ to organisation/ in Django's state only: the tables
(costs_costcentre, costs_historicalcostcentre) and every foreign key to them stay as they
are in the database (docs/decisions/0004-cost-centre-in-organisation.md)."""

import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


MODELS = ("costcentre", "historicalcostcentre")


def _relabel(apps, old, new):
    """Keep the content types (and so permissions and generic relations) of the moved
    models: relabel them instead of letting Django create new ones."""
    content_type = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not content_type.objects.filter(app_label=new, model=model).exists():
            content_type.objects.filter(app_label=old, model=model).update(app_label=new)


def move_content_types(apps, schema_editor):
    _relabel(apps, "costs", "organisation")


def reverse_content_types(apps, schema_editor):
    _relabel(apps, "organisation", "costs")


class Migration(migrations.Migration):

    dependencies = [
        ('organisation', '0006_telesok_search_text'),
        ('costs', '0006_usage_record_set_based_references'),
        ('contenttypes', '0002_remove_content_type_name'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='HistoricalCostCentre',
                    fields=[
                        ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                        ('code', models.CharField(db_index=True, max_length=32, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('history_id', models.AutoField(primary_key=True, serialize=False)),
                        ('history_date', models.DateTimeField(db_index=True)),
                        ('history_change_reason', models.CharField(max_length=100, null=True)),
                        ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                        ('budget_manager', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisation.person', verbose_name='budget-responsible manager')),
                        ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('unit', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='organisation.unit', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'historical cost centre',
                        'verbose_name_plural': 'historical cost centres',
                        'db_table': 'costs_historicalcostcentre',
                        'ordering': ('-history_date', '-history_id'),
                        'get_latest_by': ('history_date', 'history_id'),
                    },
                    bases=(simple_history.models.HistoricalChanges, models.Model),
                ),
                migrations.CreateModel(
                    name='CostCentre',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('code', models.CharField(max_length=32, unique=True, verbose_name='code')),
                        ('name', models.CharField(max_length=200, verbose_name='name')),
                        ('is_active', models.BooleanField(default=True, verbose_name='active')),
                        ('budget_manager', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='budget_cost_centres', to='organisation.person', verbose_name='budget-responsible manager')),
                        ('unit', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='cost_centres', to='organisation.unit', verbose_name='unit')),
                    ],
                    options={
                        'verbose_name': 'cost centre',
                        'verbose_name_plural': 'cost centres',
                        'db_table': 'costs_costcentre',
                        'ordering': ['code'],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('code', ''), _negated=True), models.Q(('name', ''), _negated=True)), name='cost_centre_code_and_name_given')],
                    },
                ),
            ],
        ),
        migrations.RunPython(move_content_types, reverse_content_types),
    ]
