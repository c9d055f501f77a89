"""Units become data: a table of units with the twelve the code had as a fixed list (their Latvian
and English names as the catalogue translated them), and an indicator's unit a code of that table."""

from typing import Any

from django.db import migrations, models

KEPT = [
    ("persons", "personas", "persons", "", False),
    ("count", "skaits", "count", "", True),
    ("items", "vienības", "items", "", False),
    ("units", "eksemplāri", "units", "", False),
    ("titles", "nosaukumi", "titles", "", False),
    ("hours", "stundas", "hours", "", False),
    ("days", "dienas", "days", "", False),
    ("fte", "slodzes", "full-time equivalents", "", False),
    ("eur", "EUR", "EUR", "EUR", False),
    ("usd", "USD", "USD", "USD", False),
    ("sqm", "m²", "m²", "", False),
    ("sqft", "ft²", "ft²", "", False),
]


def keep_units(apps: Any, schema_editor: Any) -> None:
    unit = apps.get_model("catalogue", "Unit")
    for code, name_lv, name_en, currency, plain in KEPT:
        unit.objects.update_or_create(
            code=code, defaults={"name_lv": name_lv, "name_en": name_en, "currency": currency, "plain": plain}
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0004_hostile_checkrule_at_entry")]

    operations = [
        migrations.CreateModel(
            name="Unit",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("name_lv", models.CharField(max_length=300, verbose_name="name (Latvian)")),
                ("name_en", models.CharField(blank=True, max_length=300, verbose_name="name (English)")),
                ("code", models.CharField(max_length=16, unique=True, verbose_name="code")),
                (
                    "currency",
                    models.CharField(
                        blank=True,
                        help_text="ISO 4217 code when the unit is money, e.g. GBP.",
                        max_length=3,
                        verbose_name="currency",
                    ),
                ),
                (
                    "plain",
                    models.BooleanField(
                        default=False, help_text="Not shown beside a name.", verbose_name="plain count"
                    ),
                ),
            ],
            options={"verbose_name": "unit", "verbose_name_plural": "units of measurement", "ordering": ["code"]},
        ),
        migrations.AlterField(
            model_name="indicator", name="unit", field=models.CharField(max_length=16, verbose_name="unit")
        ),
        migrations.RunPython(keep_units, migrations.RunPython.noop),
    ]
