"""The manual's starting text per default category (the CM rewrites it)."""

from django.db import migrations

HANDLING = {
    "crisis": (
        "1. Responde en público en menos de 30 minutos con el comunicado de contención: reconoce lo ocurrido, "
        "di que lo estáis atendiendo y cuándo habrá más información.\n"
        "2. Avisa al Community Manager y a dirección antes de cualquier otra respuesta.\n"
        "3. No borres nada ni discutas en público; los datos personales, siempre por privado.\n"
        "4. Actualiza en el mismo hilo cuando haya información contrastada."
    ),
    "queja": (
        "1. Responde en público, con nombre, en menos de una hora: agradece el aviso y pide disculpas sin excusas.\n"
        "2. Pasa a privado para los datos (pedido, teléfono) y resuelve ese mismo día.\n"
        "3. Cierra en público cuando esté resuelto: que los demás vean que se atendió.\n"
        "4. Nunca borres una crítica; oculta solo insultos, y deja el motivo."
    ),
    "consulta": (
        "Responde en público (a otros les sirve la respuesta), claro y breve, con el dato exacto. "
        "Si hace falta un dato personal, pasa a privado."
    ),
    "sugerencia": "Agradece la idea en público, pásala al equipo y, si sale adelante, cuéntalo en el mismo hilo.",
    "comentario": "Un agradecimiento breve y cercano. No hace falta responder a todo, pero sí a quien pregunta algo.",
}

EXAMPLES = {
    "queja": "«Me habéis cobrado dos veces el pedido» → disculpa en público, a privado para el número de pedido, "
    "devolución el mismo día y cierre en público.",
    "crisis": "Accidente en una pista: comunicado de contención en 20 minutos, aviso a dirección, actualización "
    "cada pocas horas en el mismo hilo.",
}


def fill(apps, schema_editor):
    Category = apps.get_model("protocols", "Category")
    for slug, text in HANDLING.items():
        Category.objects.filter(slug=slug, handling="").update(handling=text)
    for slug, text in EXAMPLES.items():
        Category.objects.filter(slug=slug, examples="").update(examples=text)


class Migration(migrations.Migration):
    dependencies = [("protocols", "0012_alert_kind_channel")]
    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
