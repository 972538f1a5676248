"""The shared list of risk and protective factors.

Sources: seed 003 (Familjeforum: the BBIC triangle — barnets behov, föräldrarnas förmåga, familj och
miljö; missbruk, psykisk sjukdom och våld i familjen weaken parental capacity, släkt och nätverk
compensate; socio-economic vulnerability), seed 000 (Tomelilla: relationsproblem, missbruk, bristande
omsorg; vuxna förebilder, tilltro till sig själv, skolnärvaro), seed 002 (Helsingborg: skolgången
"den enskilt viktigaste skyddsfaktorn", närvaro, föräldraskapsstöd, föräldrar med låg läs- och
skrivförmåga, otrygga offentliga platser, organiserad brottslighet) and the factors commonly listed
in Swedish prevention literature (Folkhälsomyndigheten, Socialstyrelsen, CAN). Idempotent: a factor
that exists by name is left alone; reversing removes only unused shared factors of this list.
"""

from django.db import migrations

S003 = "Frö 003 (Familjeforum, BBIC)"
S000 = "Frö 000 (Tomelilla)"
S002 = "Frö 002 (Helsingborg)"
LIT = "Svensk förebyggandelitteratur (Folkhälsomyndigheten, Socialstyrelsen, CAN)"

# (name_sv, name_en, kind, level, bbic_side, source)
FACTORS = [
    # --- risk: individual / the child's needs
    (
        "Tidig debut av normbrytande beteende",
        "Early onset of norm-breaking behaviour",
        "risk",
        "individ",
        "barnets_behov",
        LIT,
    ),
    (
        "Impulsivitet och koncentrationssvårigheter",
        "Impulsivity and attention difficulties",
        "risk",
        "individ",
        "barnets_behov",
        LIT,
    ),
    ("Psykisk ohälsa hos barnet", "Mental ill-health in the child", "risk", "individ", "barnets_behov", LIT),
    (
        "Låg tilltro till den egna förmågan",
        "Low belief in one's own ability",
        "risk",
        "individ",
        "barnets_behov",
        S000,
    ),
    # --- risk: family / parental capacity
    ("Missbruk hos förälder", "Parental substance misuse", "risk", "familj", "foraldrarnas_formaga", S003),
    (
        "Psykisk sjukdom hos förälder",
        "Parental mental illness",
        "risk",
        "familj",
        "foraldrarnas_formaga",
        S003,
    ),
    ("Våld i familjen", "Violence in the family", "risk", "familj", "foraldrarnas_formaga", S003),
    ("Bristande omsorg", "Neglect, lack of care", "risk", "familj", "foraldrarnas_formaga", S000),
    (
        "Relationsproblem och konflikter i familjen",
        "Relationship problems and conflict in the family",
        "risk",
        "familj",
        "familj_och_miljo",
        S000,
    ),
    (
        "Bristande tillsyn och gränssättning",
        "Poor supervision and limit-setting",
        "risk",
        "familj",
        "foraldrarnas_formaga",
        LIT,
    ),
    (
        "Föräldrar med låg läs- och skrivförmåga",
        "Parents with low literacy",
        "risk",
        "familj",
        "foraldrarnas_formaga",
        S002,
    ),
    (
        "Ekonomisk utsatthet i familjen",
        "Economic hardship in the family",
        "risk",
        "familj",
        "familj_och_miljo",
        S003,
    ),
    # --- risk: school
    ("Hög skolfrånvaro", "High school absence", "risk", "skola", "barnets_behov", S002),
    ("Låga skolresultat", "Low school results", "risk", "skola", "barnets_behov", S000),
    ("Svag anknytning till skolan", "Weak attachment to school", "risk", "skola", "barnets_behov", LIT),
    ("Mobbning", "Bullying", "risk", "skola", "familj_och_miljo", LIT),
    # --- risk: peers
    (
        "Kamrater med normbrytande beteende",
        "Peers with norm-breaking behaviour",
        "risk",
        "kamrater",
        "familj_och_miljo",
        LIT,
    ),
    (
        "Social isolering bland jämnåriga",
        "Social isolation among peers",
        "risk",
        "kamrater",
        "barnets_behov",
        LIT,
    ),
    # --- risk: community
    (
        "Socioekonomiskt utsatt bostadsområde",
        "Socio-economically vulnerable neighbourhood",
        "risk",
        "samhalle",
        "familj_och_miljo",
        S003,
    ),
    (
        "Tillgång till alkohol, tobak och narkotika",
        "Access to alcohol, tobacco and drugs",
        "risk",
        "samhalle",
        "familj_och_miljo",
        S000,
    ),
    ("Otrygga offentliga platser", "Unsafe public places", "risk", "samhalle", "familj_och_miljo", S002),
    (
        "Organiserad brottslighet i närområdet",
        "Organised crime in the neighbourhood",
        "risk",
        "samhalle",
        "familj_och_miljo",
        S002,
    ),
    # --- protective: individual
    (
        "Tilltro till den egna förmågan",
        "Belief in one's own ability (self-efficacy)",
        "skydd",
        "individ",
        "barnets_behov",
        S000,
    ),
    (
        "Sociala och emotionella färdigheter",
        "Social and emotional skills",
        "skydd",
        "individ",
        "barnets_behov",
        LIT,
    ),
    # --- protective: family
    (
        "Nära och trygg relation till en förälder",
        "A close, secure relationship with a parent",
        "skydd",
        "familj",
        "foraldrarnas_formaga",
        S000,
    ),
    (
        "Värme och tydliga gränser i föräldraskapet",
        "Warmth and clear limits in parenting",
        "skydd",
        "familj",
        "foraldrarnas_formaga",
        S002,
    ),
    (
        "Stöd från släkt och nätverk",
        "Support from relatives and network",
        "skydd",
        "familj",
        "familj_och_miljo",
        S003,
    ),
    (
        "Föräldrar engagerade i skolgången",
        "Parents engaged in schooling",
        "skydd",
        "familj",
        "foraldrarnas_formaga",
        S002,
    ),
    # --- protective: school
    (
        "Fullföljd skolgång och goda skolresultat",
        "Completed schooling and good results",
        "skydd",
        "skola",
        "barnets_behov",
        S002,
    ),
    ("Hög skolnärvaro", "High school attendance", "skydd", "skola", "barnets_behov", S002),
    (
        "Gott skolklimat och stöd från lärare",
        "Good school climate and teacher support",
        "skydd",
        "skola",
        "familj_och_miljo",
        LIT,
    ),
    # --- protective: peers
    ("Prosociala kamrater", "Pro-social peers", "skydd", "kamrater", "familj_och_miljo", LIT),
    ("Meningsfull fritid", "Meaningful leisure activities", "skydd", "kamrater", "familj_och_miljo", LIT),
    # --- protective: community
    (
        "Vuxna förebilder utanför familjen",
        "Adult role models outside the family",
        "skydd",
        "samhalle",
        "familj_och_miljo",
        S000,
    ),
    (
        "Tidigt och tillgängligt stöd",
        "Early, accessible support",
        "skydd",
        "samhalle",
        "familj_och_miljo",
        S002,
    ),
    (
        "Samverkan mellan skola, socialtjänst och polis",
        "Collaboration between school, social services and police",
        "skydd",
        "samhalle",
        "familj_och_miljo",
        S002,
    ),
]


def load(apps, schema_editor):
    Factor = apps.get_model("situation", "Factor")
    existing = set(Factor.objects.filter(organisation__isnull=True).values_list("name_sv", flat=True))
    Factor.objects.bulk_create(
        Factor(name_sv=sv, name_en=en, kind=kind, level=level, bbic_side=side, source=source)
        for sv, en, kind, level, side, source in FACTORS
        if sv not in existing
    )


def unload(apps, schema_editor):
    Factor = apps.get_model("situation", "Factor")
    CauseNode = apps.get_model("situation", "CauseNode")
    used = set(CauseNode.objects.values_list("factor_id", flat=True))
    Factor.objects.filter(organisation__isnull=True, name_sv__in=[f[0] for f in FACTORS]).exclude(
        pk__in=used
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("situation", "0004_plans_and_import")]
    operations = [migrations.RunPython(load, unload)]
