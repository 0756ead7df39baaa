"""The exemptions of FOIA Part II and EIR reg 12, with whether each is absolute (s.2(3))."""

from django.db import migrations

EXEMPTIONS = [
    ("s21", "s.21", "Information accessible by other means", True),
    ("s22", "s.22", "Information intended for future publication", False),
    ("s22A", "s.22A", "Research", False),
    ("s23", "s.23", "Security bodies", True),
    ("s24", "s.24", "National security", False),
    ("s26", "s.26", "Defence", False),
    ("s27", "s.27", "International relations", False),
    ("s28", "s.28", "Relations within the United Kingdom", False),
    ("s29", "s.29", "The economy", False),
    ("s30", "s.30", "Investigations and proceedings", False),
    ("s31", "s.31", "Law enforcement", False),
    ("s32", "s.32", "Court records", True),
    ("s33", "s.33", "Audit functions", False),
    ("s34", "s.34", "Parliamentary privilege", True),
    ("s35", "s.35", "Formulation of government policy", False),
    ("s36", "s.36", "Prejudice to effective conduct of public affairs", False),
    ("s37", "s.37", "Communications with His Majesty and honours", False),
    ("s38", "s.38", "Health and safety", False),
    ("s39", "s.39", "Environmental information", False),
    ("s40_1", "s.40(1)", "Personal information of the requester", True),
    ("s40_2", "s.40(2)", "Personal information of third parties", True),
    ("s41", "s.41", "Information provided in confidence", True),
    ("s42", "s.42", "Legal professional privilege", False),
    ("s43_1", "s.43(1)", "Trade secrets", False),
    ("s43_2", "s.43(2)", "Commercial interests", False),
    ("s44", "s.44", "Prohibitions on disclosure", True),
    ("eir12_4_a", "reg 12(4)(a)", "Information not held (EIR)", False),
    ("eir12_4_b", "reg 12(4)(b)", "Manifestly unreasonable (EIR)", False),
    ("eir12_5_e", "reg 12(5)(e)", "Commercial confidentiality (EIR)", False),
]


def load(apps, schema_editor):
    Exemption = apps.get_model("foiregister", "Exemption")
    for code, section, title, absolute in EXEMPTIONS:
        Exemption.objects.update_or_create(
            code=code, defaults={"section": section, "title": title, "absolute": absolute}
        )


class Migration(migrations.Migration):
    dependencies = [("foiregister", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
