"""Canned replies per default category (with the crisis holding statement), the
sensitive topics a brand does not discuss in public, and the reply checks as warnings."""

from django.db import migrations

CANNED = [
    # slug, category slug, title, body
    (
        "crisis-holding",
        "crisis",
        "Comunicado de contención",
        "Hola, {contact_name}. Sabemos lo ocurrido y lo estamos atendiendo ahora mismo. En cuanto tengamos "
        "información contrastada la publicaremos aquí. Si te afecta directamente, escríbenos por privado y te "
        "llamamos. — {gestor_name}, {brand}",
    ),
    (
        "queja-disculpa",
        "queja",
        "Disculpa y paso a privado",
        "Hola, {contact_name}. Sentimos mucho lo que nos cuentas; no es lo que queremos para nadie. ¿Nos escribes "
        "por privado con tu número de pedido y un teléfono? Lo resolvemos hoy. — {gestor_name}",
    ),
    (
        "queja-cobro",
        "queja",
        "Cobro duplicado",
        "Hola, {contact_name}. Tienes razón: hemos visto el cargo duplicado y ya está devuelto. Tardará de 3 a 5 días "
        "en aparecer en tu cuenta. Disculpa las molestias. — {gestor_name}, {brand}",
    ),
    (
        "consulta-horario",
        "consulta",
        "Horario",
        "¡Hola, {contact_name}! Abrimos de lunes a sábado de 8:00 a 20:30 y los domingos de 9:00 a 14:00. "
        "¡Te esperamos! — {gestor_name}",
    ),
    (
        "consulta-privado",
        "consulta",
        "Pasar a privado",
        "Hola, {contact_name}. Para ayudarte mejor, ¿nos escribes por mensaje privado en {channel}? Te respondemos enseguida.",
    ),
    (
        "sugerencia-gracias",
        "sugerencia",
        "Gracias por la idea",
        "¡Gracias, {contact_name}! Nos encanta la idea; la pasamos al equipo y te contamos si sale adelante. — {gestor_name}",
    ),
    ("comentario-gracias", "comentario", "Agradecer", "¡Muchas gracias, {contact_name}! Nos alegra mucho leerte. 🙂"),
]

TOPICS = [
    (
        "Política",
        "gobierno\nministro\nministra\npresidente\nelecciones\nvotar\nvotad\npartido político\nizquierda\nderecha\n"
        "independencia\nmanifestación\nhuelga general\nPSOE\nPP\nVox\nSumar\nPodemos",
    ),
    ("Religión", "dios\nreligión\niglesia\nmezquita\nsinagoga\ncatólico\nmusulmán\njudío\nateo\nrezar\nreza\nfe"),
]


def create(apps, schema_editor):
    CannedReply = apps.get_model("protocols", "CannedReply")
    Category = apps.get_model("protocols", "Category")
    SensitiveTopic = apps.get_model("protocols", "SensitiveTopic")
    ReplyCheck = apps.get_model("protocols", "ReplyCheck")
    for slug, category, title, body in CANNED:
        CannedReply.objects.get_or_create(
            slug=slug, defaults={"title": title, "body": body, "category": Category.objects.filter(slug=category).first()}
        )
    if not SensitiveTopic.objects.exists():
        for name, words in TOPICS:
            SensitiveTopic.objects.create(name=name, words=words)
    for kind in ("spelling", "sensitive", "tone"):
        ReplyCheck.objects.get_or_create(kind=kind, defaults={"mode": "warn"})


class Migration(migrations.Migration):
    dependencies = [("protocols", "0008_canned_checks_versions")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
