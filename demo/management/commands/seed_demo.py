"""Demo data: people for every role, two web channels and a few dozen realistic
conversations from a bakery and a ski resort. Idempotent: run it as often as
you like; it adds nothing the second time."""

from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from channels.connectors.base import ContactRef, InboundItem
from channels.models import Channel
from demo.history import history_seed
from inbox import events
from inbox.models import Conversation, Message
from inbox.services.ingest import ReceivedItem, inbound_items_ingest
from protocols.crisis import crisis_detect
from protocols.escalation import sla_escalations_settle
from protocols.models import Category
from protocols.sla import conversation_sla_replied, conversation_sla_resolved, conversations_sla_update, sla_sweep
from quality.models import Review, ReviewItem
from quality.services import review_acknowledge, review_create, review_queue_build, rubric, week_monday
from teams.models import Member, Shift, Team
from teams.selectors import rota_forget
from teams.services.assignment import team_queue_drain

PASSWORD = "demo"  # noqa: S105 - documented demo password

USERS = [
    ("gestor1", "Lucía", "Martín Ferrer", "gestor"),
    ("gestor2", "Pablo", "Sanz Ibarra", "gestor"),
    ("gestor3", "Nerea", "Goñi Lasa", "gestor"),
    ("supervisor", "Marta", "Ruiz Calvo", "supervisor"),
    ("cm", "Irene", "Lafuente Roy", "community_manager"),
    ("owner", "Javier", "Espiga Mur", "owner"),
]

CHANNELS = [
    ("demo-web", "Web — Panadería La Espiga", "demo-web-secret"),
    ("demo-esqui", "Web — Estación de esquí Valle Blanco", "demo-esqui-secret"),
]

# WhatsApp chats: (message id, phone, name, text, hours ago, attachments, our answer)
WHATSAPP_CHATS = [
    (
        "wamid.demo-1",
        "34611000001",
        "Carmen Lafuente",
        "Hola, ¿me guardáis un roscón mediano de nata para mañana por la mañana?",
        1.5,
        (),
        "",
    ),
    (
        "wamid.demo-2",
        "34611000002",
        "Jorge Aznar",
        "Buenas, el pedido de ayer llegó sin la factura. ¿Me la podéis mandar?",
        30,
        (),
        "",
    ),
    (
        "wamid.demo-3",
        "34611000003",
        "Lucía Blasco",
        "¿Este pastel lo tenéis también sin lactosa?",
        4,
        (
            {
                "type": "image",
                "url": "",
                "preview_url": "",
                "title": "",
                "latitude": None,
                "longitude": None,
                "mime_type": "image/png",
                "network_type": "image",
                "copy_from": "whatsapp-media:wa-media-demo-1",
                "media_id": "wa-media-demo-1",
            },
        ),
        "",
    ),
    (
        "wamid.demo-4",
        "34611000004",
        "Pablo Ibáñez",
        "¿A qué hora abrís el domingo?",
        3,
        (),
        "¡Hola, Pablo! El domingo abrimos de 8:00 a 14:00. ¡Te esperamos!",
    ),
]

# (channel key, form id, name, email, subject, message, hours ago, category, outcome)
# outcome: "" new · "assigned:<user>" · "answered:<user>:<reply>" · "resolved:<user>:<reply>" · "note:<user>:<text>"
CONVERSATIONS = [
    (
        "demo-web",
        "esp-001",
        "Ana Belén Ortiz",
        "anabelen.ortiz@example.com",
        "Pan sin gluten",
        "Hola, ¿tenéis pan sin gluten todos los días o hay que encargarlo? Mi hija es celíaca.",
        30,
        "consulta",
        "answered:gestor1:¡Hola, Ana Belén! Lo horneamos martes, jueves y sábado; "
        "otros días, por encargo con 24 h. Un saludo.",
    ),
    (
        "demo-web",
        "esp-002",
        "Rubén Castillo",
        "ruben.castillo@example.com",
        "Roscón duro",
        "Compré ayer un roscón de nata y estaba duro y seco. Para lo que cuesta, no es normal. Quiero una solución.",
        20,
        "queja",
        "assigned:gestor2",
    ),
    (
        "demo-web",
        "esp-003",
        "Carmen Alcázar",
        "carmen.alcazar@example.com",
        "Tarta de cumpleaños",
        "Quería encargar una tarta de chocolate para 12 personas para el sábado. ¿Se puede personalizar con un nombre?",
        6,
        "consulta",
        "",
    ),
    (
        "demo-web",
        "esp-004",
        "Jorge Peña",
        "jorge.pena@example.com",
        "Horario del domingo",
        "¿Abrís los domingos por la mañana? En Google pone una cosa y en la puerta otra.",
        3,
        "consulta",
        "",
    ),
    (
        "demo-web",
        "esp-005",
        "Lourdes Vidal",
        "lourdes.vidal@example.com",
        "Sugerencia",
        "Estaría genial que aceptarais pago con el móvil y que tuvierais bolsas de papel en vez de plástico.",
        50,
        "sugerencia",
        "resolved:gestor3:¡Gracias, Lourdes! Desde este mes aceptamos pago con móvil y las bolsas ya son de papel.",
    ),
    (
        "demo-web",
        "esp-006",
        "Tomás Herrero",
        "tomas.herrero@example.com",
        "Felicidades",
        "Solo quería decir que las empanadas de atún están buenísimas. ¡Seguid así!",
        70,
        "comentario",
        "resolved:gestor1:¡Muchas gracias, Tomás! Se lo diremos al obrador.",
    ),
    (
        "demo-web",
        "esp-007",
        "Inés Navarro",
        "ines.navarro@example.com",
        "Alérgenos",
        "¿Las magdalenas llevan frutos secos? Necesito la lista de alérgenos.",
        1,
        "consulta",
        "",
    ),
    (
        "demo-web",
        "esp-008",
        "Marcos Lozano",
        "marcos.lozano@example.com",
        "Pedido para empresa",
        "Somos una oficina de 40 personas. ¿Hacéis desayunos a domicilio los viernes? ¿Precio por persona?",
        9,
        "consulta",
        "note:supervisor:Cliente potencial grande: que lo lleve Lucía y pase presupuesto.",
    ),
    (
        "demo-web",
        "esp-009",
        "Beatriz Soler",
        "beatriz.soler@example.com",
        "Cobro doble",
        "Me habéis cobrado dos veces la misma compra con tarjeta el martes. Adjunto el extracto si hace falta.",
        14,
        "queja",
        "assigned:gestor1",
    ),
    (
        "demo-web",
        "esp-010",
        "Óscar Gil",
        "oscar.gil@example.com",
        "Pan de centeno",
        "¿Volveréis a hacer el pan de centeno con pasas? Era el mejor.",
        26,
        "sugerencia",
        "",
    ),
    (
        "demo-web",
        "esp-011",
        "Alicia Romero",
        "alicia.romero@example.com",
        "Trabajo",
        "¿Buscáis dependienta para el turno de tarde? Tengo experiencia en pastelería.",
        40,
        "comentario",
        "",
    ),
    (
        "demo-web",
        "esp-012",
        "Rubén Castillo",
        "ruben.castillo@example.com",
        "Roscón duro",
        "Sigo esperando respuesta sobre el roscón. Si no me contestáis lo pondré en Facebook.",
        2,
        "queja",
        "",
    ),
    (
        "demo-esqui",
        "vb-001",
        "Laura Benedí",
        "laura.benedi@example.com",
        "Accidente en la pista roja",
        "Ayer hubo un accidente grave en la pista Las Marmotas y nadie de la estación dice nada. ¿Qué pasó? "
        "¿Está la pista abierta hoy? Tenemos niños esquiando.",
        18,
        "crisis",
        "assigned:supervisor",
    ),
    (
        "demo-esqui",
        "vb-002",
        "Diego Arnal",
        "diego.arnal@example.com",
        "Accidente y seguridad",
        "Seis días sin un comunicado oficial sobre el accidente. En el foro dicen que faltaban redes de protección. "
        "Exijo una explicación.",
        4,
        "crisis",
        "",
    ),
    (
        "demo-esqui",
        "vb-003",
        "Sofía Lacasa",
        "sofia.lacasa@example.com",
        "Remontes cerrados",
        "Pagamos el forfait de día completo y cerrasteis tres remontes por viento a las 11. ¿Devolvéis algo?",
        22,
        "queja",
        "answered:gestor2:Hola, Sofía. Lo sentimos: el cierre fue por seguridad. Escríbenos tu número de "
        "forfait por privado y te enviamos un bono de medio día.",
    ),
    (
        "demo-esqui",
        "vb-004",
        "Hugo Pardo",
        "hugo.pardo@example.com",
        "Precio forfait temporada",
        "¿Cuándo sale a la venta el forfait de temporada y hay descuento para familias numerosas?",
        8,
        "consulta",
        "",
    ),
    (
        "demo-esqui",
        "vb-005",
        "Elena Campo",
        "elena.campo@example.com",
        "Niño perdido en la guardería",
        "Hoy en la guardería de la estación tardaron 20 minutos en encontrar a mi hijo cuando fui a recogerlo. "
        "Inadmisible.",
        5,
        "queja",
        "note:gestor3:Llamado al responsable de la guardería; espera informe para responder.",
    ),
    (
        "demo-esqui",
        "vb-006",
        "Raúl Jiménez",
        "raul.jimenez@example.com",
        "Parking lleno",
        "A las 9:30 el parking ya estaba lleno y nos mandaron a 3 km. ¿Hay lanzadera?",
        12,
        "consulta",
        "resolved:gestor1:Hola, Raúl. Sí: lanzadera gratuita cada 15 minutos desde el parking P3, de 8:30 a 17:30.",
    ),
    (
        "demo-esqui",
        "vb-007",
        "Pilar Oliva",
        "pilar.oliva@example.com",
        "Clases de esquí adaptado",
        "¿Ofrecéis clases de esquí adaptado para personas con movilidad reducida?",
        30,
        "consulta",
        "",
    ),
    (
        "demo-esqui",
        "vb-008",
        "Iván Royo",
        "ivan.royo@example.com",
        "Nieve artificial",
        "Sugerencia: publicad cada mañana el estado de cada pista con foto. Ayudaría mucho a planificar.",
        60,
        "sugerencia",
        "resolved:gestor2:¡Buena idea, Iván! Desde la semana que viene lo publicaremos a las 8:00.",
    ),
    (
        "demo-esqui",
        "vb-009",
        "Noelia Franco",
        "noelia.franco@example.com",
        "Cafetería",
        "El chocolate de la cafetería de la cota 2000 estaba frío y a 4,50 €. Muy caro para lo que es.",
        7,
        "queja",
        "",
    ),
    (
        "demo-esqui",
        "vb-010",
        "Álvaro Sancho",
        "alvaro.sancho@example.com",
        "Gracias al equipo de pistas",
        "Gracias a los pisteros que ayudaron a mi padre cuando se cayó en la pista azul. Un trato excelente.",
        36,
        "comentario",
        "resolved:gestor3:Gracias, Álvaro. Se lo hacemos llegar al equipo. ¡Esperamos que tu padre esté bien!",
    ),
    (
        "demo-esqui",
        "vb-011",
        "Marina Lasheras",
        "marina.lasheras@example.com",
        "Accidente — comunicado",
        "¿Vais a decir algo del accidente o vais a seguir callados? Estáis borrando comentarios en Facebook.",
        1,
        "crisis",
        "",
    ),
    (
        "demo-esqui",
        "vb-012",
        "Pedro Abad",
        "pedro.abad@example.com",
        "Alquiler de material",
        "¿Se puede reservar el alquiler de esquís online para no hacer cola?",
        15,
        "consulta",
        "assigned:gestor3",
    ),
    # More of the bakery: orders, a follow-up after an answer, a fresh complaint.
    (
        "demo-web",
        "esp-013",
        "Gloria Muñoz",
        "gloria.munoz@example.com",
        "Tarta de comunión",
        "Buenas tardes. ¿Hacéis tartas de comunión de dos pisos? Sería para el 10 de mayo, unas 30 personas.",
        75,
        "consulta",
        "answered:gestor2:¡Hola, Gloria! Sí: de dos pisos, para 30 personas, unos 90 €. "
        "Con una señal de 20 € te la reservamos.",
    ),
    (
        "demo-web",
        "esp-014",
        "Gloria Muñoz",
        "gloria.munoz@example.com",
        "Tarta de comunión",
        "¡Perfecto! ¿Puedo pagar la señal por Bizum o tengo que pasar por la tienda?",
        4,
        "",
        "",
    ),
    (
        "demo-web",
        "esp-015",
        "Fernando Aguirre",
        "fernando.aguirre@example.com",
        "Contaminación cruzada",
        "El pan sin gluten, ¿se hace en el mismo obrador que el de trigo? Soy celíaco y necesito saberlo seguro.",
        11,
        "consulta",
        "note:gestor1:Preguntado al obrador; no contestar sin confirmar el protocolo de limpieza.",
    ),
    (
        "demo-web",
        "esp-016",
        "Rosa Villanueva",
        "rosa.villanueva@example.com",
        "Reyes",
        "¿Abrís el 6 de enero? Quiero recoger el roscón a primera hora.",
        16,
        "consulta",
        "resolved:gestor3:Hola, Rosa. El día de Reyes abrimos de 8:00 a 14:00. ¡Te esperamos!",
    ),
    (
        "demo-web",
        "esp-017",
        "Sergio Blasco",
        "sergio.blasco@example.com",
        "Roscón sin lactosa",
        "Podríais hacer un roscón relleno de crema sin lactosa. Somos varios en la familia que no la tomamos.",
        44,
        "sugerencia",
        "answered:gestor1:¡Gracias por la idea, Sergio! Lo hablamos con el obrador y os contamos.",
    ),
    (
        "demo-web",
        "esp-018",
        "Miriam Esteban",
        "miriam.esteban@example.com",
        "Atención en tienda",
        "El domingo a las 14:00 en la tienda de la calle Mayor me atendieron de muy malas maneras.",
        0.5,
        "queja",
        "",
    ),
    # More of the ski resort: the accident complaints keep piling up.
    (
        "demo-esqui",
        "vb-013",
        "Carlos Gracia",
        "carlos.gracia@example.com",
        "¿Por qué no se cerró la pista?",
        "Mi hermano estaba en Las Marmotas cuando pasó el accidente. Había placas de hielo desde primera hora. "
        "¿Por qué no se cerró antes?",
        10,
        "crisis",
        "",
    ),
    (
        "demo-esqui",
        "vb-014",
        "Teresa Mur",
        "teresa.mur@example.com",
        "Devolución del forfait de temporada",
        "Después de lo del accidente y del silencio de la estación no pienso volver. Quiero la devolución "
        "de los dos forfaits de temporada.",
        3,
        "crisis",
        "assigned:gestor2",
    ),
    (
        "demo-esqui",
        "vb-015",
        "Diego Arnal",
        "diego.arnal@example.com",
        "Accidente y seguridad",
        "Sigo sin respuesta. Si mañana no hay un comunicado, escribo al periódico.",
        0.3,
        "",
        "",
    ),
    # The last hour: the accident is on everyone's lips (a crisis spike on "marmotas").
    *[
        (
            "demo-esqui",
            f"vb-spike-{n}",
            name,
            f"{name.split()[0].lower()}.{n}@example.com",
            "Accidente en Las Marmotas",
            text,
            minutes / 60,
            "",
            "",
        )
        for n, (name, text, minutes) in enumerate(
            [
                ("Lucía Sanz", "Acabo de leer lo del accidente en Las Marmotas. ¿Es seguro subir mañana con niños?", 8),
                ("Pedro Gil", "¿Cómo está el chico del accidente de Las Marmotas? Nadie informa de nada.", 15),
                ("Elena Royo", "Vergüenza: un accidente en Las Marmotas y ni un comunicado.", 24),
                ("Jorge Pina", "Dicen en la radio que en Las Marmotas no había redes. ¿Es verdad?", 33),
                ("Nuria Lasheras", "Cancelo la reserva del puente. Lo de Las Marmotas es inadmisible.", 41),
                ("Óscar Bueno", "Queja formal: pista Las Marmotas abierta con hielo. Exijo explicaciones.", 52),
            ],
            start=1,
        )
    ],
    (
        "demo-esqui",
        "vb-016",
        "Antonio Lacruz",
        "antonio.lacruz@example.com",
        "Telesilla cerrado por viento",
        "Segundo fin de semana con el telesilla del Pico cerrado por viento. Avisad en la web antes de que "
        "hagamos dos horas de coche.",
        28,
        "queja",
        "answered:gestor3:Tienes razón, Antonio. Desde hoy el estado de los remontes se publica en la web "
        "a las 7:30 y se actualiza cada hora.",
    ),
    (
        "demo-esqui",
        "vb-017",
        "Cristina Bernués",
        "cristina.bernues@example.com",
        "Precios",
        "56 € el forfait de día y 14 € una hamburguesa en la cota 2000. Cada año más caro y peor servicio.",
        19,
        "queja",
        "",
    ),
    (
        "demo-esqui",
        "vb-018",
        "Jaime Sarasa",
        "jaime.sarasa@example.com",
        "Plaza en la guardería",
        "¿Hace falta reservar plaza en la guardería para un niño de 3 años? ¿Qué horario tiene?",
        48,
        "consulta",
        "resolved:gestor1:Hola, Jaime. Mejor reservar en la web; abre de 9:00 a 17:00 y admite desde los 3 años.",
    ),
    (
        "demo-esqui",
        "vb-019",
        "Lorena Pueyo",
        "lorena.pueyo@example.com",
        "Objeto perdido",
        "Se me cayeron unas gafas de ventisca desde el telesilla de la pista verde. ¿Tenéis objetos perdidos?",
        23,
        "consulta",
        "assigned:gestor3",
    ),
    (
        "demo-esqui",
        "vb-020",
        "Elena Campo",
        "elena.campo@example.com",
        "Niño perdido en la guardería",
        "¿Alguien me va a llamar? Han pasado horas y nadie me ha contestado.",
        2,
        "",
        "",
    ),
]


class Command(BaseCommand):
    help = "Create the demo users, channels and conversations (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = self._users()
        channels = self._channels()
        x_channel = self._x_channel()
        meta = self._meta_channels()
        whatsapp = self._whatsapp_channel(users)
        mailbox = self._email_channel()
        google = self._google_channels()
        forums = Channel.objects.get(key="demo-foros")  # forum threads sent from listening land here
        team = self._team(
            users,
            {**channels, "x": x_channel, **meta, "whatsapp": whatsapp, "email": mailbox, **google, "foros": forums},
        )
        categories = {c.slug: c for c in Category.objects.all()}
        now = timezone.now()
        created = 0
        for key, form_id, name, email, subject, text, hours_ago, category, outcome in CONVERSATIONS:
            channel = channels[key]
            written = now - timedelta(hours=hours_ago)
            item = InboundItem(
                external_id=form_id,
                thread_key=f"email:{email}",
                is_private=True,
                author=ContactRef(external_id=email, handle=email, display_name=name, email=email),
                body=text,
                subject=subject,
                created_at=written,
            )
            messages = inbound_items_ingest(received=[ReceivedItem(channel, item, written)])
            if not messages:
                continue  # already seeded
            created += 1
            conversation = messages[0].conversation
            if category and conversation.category_id is None:
                conversation.category = categories.get(category)
                conversation.priority = Conversation.Priority.URGENT if category == "crisis" else conversation.priority
                conversation.save(update_fields=["category", "priority"])
                conversations_sla_update(conversations=[conversation])
            self._apply(conversation, outcome, users, written)
        self._persons(users, {**channels, "x": x_channel, **meta, "whatsapp": whatsapp, "email": mailbox}, now)
        # Eight weeks of history behind them, for the weekly report's trends.
        history = history_seed(users=users, channels={**channels, "demo-facebook": meta["facebook"]}, now=now)
        self._reviews(users, now)
        # Deadlines that passed while the demo "happened" are flagged and escalated now.
        sla_sweep()
        sla_escalations_settle()
        crisis_detect()
        team_queue_drain(team=team)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo ready: {len(users)} users (password '{PASSWORD}'), {len(channels)} channels, "
                f"{created} new conversations, {history} in the history."
            )
        )

    def _reviews(self, users, now):
        """The quality review queues of the last two weeks, and a few reviews by the supervisor
        (gestor1's first one acknowledged, the rest waiting for their gestor)."""
        this_monday = week_monday(now)
        for weeks_ago in (2, 1):
            review_queue_build(monday=this_monday - timedelta(days=7 * weeks_ago))
        if Review.objects.exists():
            return
        criteria = [c.key for c in rubric()]
        comments = [
            ("gestor1", [2, 2, 2, 1, 2], "Bien resuelto y con buen tono. Revisa la tilde de «también»."),
            ("gestor1", [2, 1, 2, 2, 1], "Correcto, aunque llegó tarde: mira el plazo antes de contestar."),
            ("gestor2", [1, 2, 1, 2, 2], "Faltó ofrecer seguir por privado, como pide el protocolo de quejas."),
            ("gestor3", [2, 2, 2, 2, 2], "Respuesta de manual."),
        ]
        pending = ReviewItem.objects.filter(status=ReviewItem.Status.PENDING).order_by("-monday", "pk")
        for n, (username, points, comment) in enumerate(comments):
            item = pending.filter(gestor=users[username]).first()
            if item is None:
                continue
            review = review_create(
                item=item,
                by=users["supervisor"],
                scores={key: points[i % len(points)] for i, key in enumerate(criteria)},
                comment=comment,
            )
            if n == 0:
                review_acknowledge(review=review, by=users[username])

    def _persons(self, users, channels, now):
        """Two people who wrote on several counters: their identities gathered by hand
        (nothing proves them the same), with a note each."""
        from inbox.models import Contact, PersonNote
        from inbox.services.persons import contact_person_ensure, person_merge, person_note_add

        people = [
            (
                ("demo-web", "anabelen.ortiz@example.com", ""),
                [
                    (
                        "x",
                        "1800000000000000077",
                        "@anabelen_o",
                        "Ana Belén Ortiz",
                        "tweet:seed-ana-1",
                        "x-thread:seed-ana-1",
                        False,
                        "@laespiga ¿al final el pan sin gluten sale los sábados?",
                        20,
                    ),
                    (
                        "email",
                        "anabelen.ortiz@example.com",
                        "anabelen.ortiz@example.com",
                        "Ana Belén Ortiz",
                        "<seed-ana-2@example.com>",
                        "email-thread:<seed-ana-2@example.com>",
                        True,
                        "Os escribo también por aquí: ¿puedo encargar dos hogazas sin gluten para el sábado?",
                        8,
                    ),
                ],
                "Hija celíaca: ofrecer siempre la opción sin gluten.",
            ),
            (
                ("whatsapp", "34611000001", ""),
                [
                    (
                        "facebook",
                        "7100000000000042",
                        "",
                        "Carmen Lafuente",
                        "fb-mid:mid.seed-carmen-1",
                        "fb-user:7100000000000042",
                        True,
                        "Hola, os escribí por WhatsApp por el roscón, ¿lo visteis?",
                        1,
                    ),
                    (
                        "email",
                        "carmen.lafuente@example.com",
                        "carmen.lafuente@example.com",
                        "Carmen Lafuente",
                        "<seed-carmen-2@example.com>",
                        "email-thread:<seed-carmen-2@example.com>",
                        True,
                        "¿Me confirmáis el pedido del roscón para mañana? Os escribí también por WhatsApp.",
                        0.5,
                    ),
                ],
                "Clienta de los domingos; prefiere WhatsApp.",
            ),
        ]
        cm = users["cm"]
        for (first_key, first_id, _h), others, note in people:
            main = Contact.objects.filter(channel=channels[first_key], external_id=first_id).first()
            if main is None:
                continue
            person = contact_person_ensure(contact=main)
            for key, external_id, handle, name, item_id, thread, private, text, hours_ago in others:
                if key not in channels:
                    continue
                written = now - timedelta(hours=hours_ago)
                item = InboundItem(
                    external_id=item_id,
                    thread_key=thread,
                    is_private=private,
                    author=ContactRef(
                        external_id=external_id,
                        handle=handle,
                        display_name=name,
                        email=external_id if "@" in external_id else "",
                    ),
                    body=text,
                    subject="Encargo" if key == "email" else "",
                    created_at=written,
                )
                inbound_items_ingest(received=[ReceivedItem(channels[key], item, written)])
                other = contact_person_ensure(
                    contact=Contact.objects.get(channel=channels[key], external_id=external_id)
                )
                if other.pk != person.pk and other.merged_into_id is None:
                    person_merge(person=person, other=other, by=cm, reason="misma persona: lo dice en el mensaje")
            if not PersonNote.objects.filter(person=person).exists():
                person_note_add(person=person, author=cm, body=note)

    def _users(self):
        User = get_user_model()
        users = {}
        for username, first, last, role in USERS:
            user, made = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@mostrador.local"},
            )
            if made:
                user.set_password(PASSWORD)
                user.is_staff = role == "community_manager"
                user.save()
            user.groups.add(Group.objects.get_or_create(name=role)[0])
            users[username] = user
        return users

    def _team(self, users, channels):
        """One team on every channel, 24/7 but for a deliberate gap: Sunday night 23:00–07:00."""
        team, made = Team.objects.get_or_create(name="Atención al cliente", defaults={"time_zone": "Europe/Madrid"})
        team.channels.add(*channels.values())
        if not made:
            return team
        rota = {
            "gestor1": [(day, time(7), time(15)) for day in range(7)],
            "gestor2": [(day, time(15), time(23)) for day in range(7)],
            "gestor3": [(day, time(23), time(7)) for day in range(6)],  # no Sunday night
        }
        for username, shifts in rota.items():
            member, _made = Member.objects.get_or_create(
                user=users[username], defaults={"capacity": 15, "languages": ["es", "en"]}
            )
            team.members.add(member)
            Shift.objects.bulk_create(
                Shift(team=team, member=member, weekday=day, starts=starts, ends=ends) for day, starts, ends in shifts
            )
        rota_forget()  # bulk_create sends no signals: rota weeks kept in the cache are forgotten here
        return team

    def _meta_channels(self):
        """The demo's Facebook Page and Instagram account, replying through a local fake Graph API."""
        made = {}
        for kind, key, name, account in (
            ("facebook", "demo-facebook", "Facebook La Espiga", "100000000000001"),
            ("instagram", "demo-instagram", "Instagram @laespiga", "17841400000000001"),
        ):
            made[kind], _created = Channel.objects.get_or_create(
                key=key,
                defaults={
                    "kind": kind,
                    "name": name,
                    "external_account_id": account,
                    "credentials": {"access_token": f"demo-{kind}-token"},
                },
            )
        return made

    def _whatsapp_channel(self, users):
        """The demo's WhatsApp number (on the local fake Graph API) and a few chats:
        one inside the 24-hour window, one outside it (only templates go), one with
        a photo, one answered and read."""
        channel, _made = Channel.objects.get_or_create(
            key="demo-whatsapp",
            defaults={
                "kind": "whatsapp",
                "name": "WhatsApp La Espiga",
                "external_account_id": "106540352242922",
                "credentials": {"access_token": "demo-whatsapp-token", "waba_id": "102290129340398"},
            },
        )
        now = timezone.now()
        for wamid, phone, name, text, hours_ago, attachments, answer in WHATSAPP_CHATS:
            written = now - timedelta(hours=hours_ago)
            item = InboundItem(
                external_id=wamid,
                thread_key=f"wa:{phone}",
                is_private=True,
                author=ContactRef(external_id=phone, handle=f"+{phone}", display_name=name),
                body=text,
                created_at=written,
                attachments=attachments,
            )
            messages = inbound_items_ingest(received=[ReceivedItem(channel, item, written)])
            if messages and answer:
                self._whatsapp_answer(messages[0].conversation, users["gestor1"], answer, written)
        return channel

    def _whatsapp_answer(self, conversation, user, text, written):
        replied = written + timedelta(minutes=12)
        reply = Message.objects.create(
            conversation=conversation,
            channel=conversation.channel,
            direction=Message.Direction.OUT,
            sender=user,
            body=text,
            created_at=replied,
            delivery_status=Message.DeliveryStatus.SENT,
            idempotency_key=Message.new_idempotency_key(),
            external_id=f"wamid.seed-{conversation.pk}",
            sent_at=replied,
            attempts=1,
            network_status=Message.NetworkStatus.READ,
            network_status_at=replied + timedelta(minutes=3),
        )
        waited_since = conversation.waiting_since
        conversation.assignee = user
        conversation.first_response_at = replied
        conversation.last_outbound_at = replied
        conversation.waiting_since = None
        conversation.status = Conversation.Status.WAITING
        conversation_sla_replied(conversation=conversation, waited_since=waited_since, at=replied)
        conversation.save()
        events.reply_sent(message=reply)

    def _email_channel(self):
        """The demo's e-mail inbox: the local fake IMAP server and SMTP sink (``fake_mail_server``)."""
        from django.conf import settings

        from demo.fakes.imap import FakeMailbox

        box = FakeMailbox()
        channel, _made = Channel.objects.get_or_create(
            key="demo-email",
            defaults={
                "kind": "email",
                "name": "Correo hola@laespiga",
                "external_account_id": box.username,
                "credentials": {
                    "imap_host": "127.0.0.1",
                    "imap_port": settings.DEMO_IMAP_PORT,
                    "imap_security": "none",
                    "imap_username": box.username,
                    "imap_password": box.password,
                    "folder": "INBOX",
                    "smtp_host": "127.0.0.1",
                    "smtp_port": settings.DEMO_SMTP_PORT,
                    "smtp_security": "none",
                    "smtp_username": box.username,
                    "smtp_password": box.password,
                    "from_address": box.username,
                    "from_name": "Panadería La Espiga",
                },
            },
        )
        return channel

    def _google_channels(self):
        """The demo's Google Business Profile location (reviews) and YouTube channel on the local fake Google
        (``fake_google_server``, started by ``make run``), polled once now from a fake
        of the same content so the reviews are in the inbox before the worker's first poll."""
        from django.test import override_settings

        from channels.connectors.registry import connector_for, kinds
        from demo.fakes.google_api import DEMO_CHANNEL_ID, DEMO_LOCATION, demo_state, serve

        oauth = {"client_id": "demo.apps.googleusercontent.com", "client_secret": "demo-secret"}
        wanted = [
            ("google_reviews", "demo-reviews", "Reseñas en Google", DEMO_LOCATION, "1//demo-reviews"),
            ("youtube", "demo-youtube", "YouTube La Espiga", DEMO_CHANNEL_ID, "1//demo-youtube"),
        ]
        made = {}
        server = serve(demo_state())
        host, port = server.server_address[:2]
        try:
            with override_settings(GOOGLE_API_BASE_URL=f"http://{host}:{port}"):
                for kind, key, name, account, refresh in wanted:
                    if kind not in kinds():
                        continue
                    channel, _created = Channel.objects.get_or_create(
                        key=key,
                        defaults={
                            "kind": kind,
                            "name": name,
                            "external_account_id": account,
                            "credentials": {**oauth, "refresh_token": refresh},
                        },
                    )
                    made[key] = channel
                    connector = connector_for(channel)
                    result = connector.fetch_since(channel.poll_cursor)
                    now = timezone.now()
                    received = [ReceivedItem(channel, item, now) for item in connector.parse_poll(result.raw)]
                    inbound_items_ingest(received=received)
                    Channel.objects.filter(pk=channel.pk).update(poll_cursor=result.cursor, last_polled_at=now)
        finally:
            server.shutdown()
            server.server_close()
        return made

    def _x_channel(self):
        """The demo's X account (on the local fake X API) and its listening watches."""
        from demo.fakes.x_api import FakeX
        from listening.models import Watch

        channel, _made = Channel.objects.get_or_create(
            key="demo-x",
            defaults={
                "kind": "x",
                "name": "X @laespiga",
                "external_account_id": FakeX.account_id,
                "credentials": {
                    "bearer_token": "demo-bearer",
                    "consumer_key": "demo-consumer-key",
                    "consumer_secret": "demo-x-secret",
                    "access_token": "demo-access-token",
                    "access_token_secret": "demo-access-secret",
                },
            },
        )
        for name, kind, query in (
            ("La Espiga", "brand", '"La Espiga" OR @laespiga'),
            ("Horno Doré", "competitor", '"Horno Doré"'),
            ("Pan sin gluten", "keyword", '"sin gluten"'),
        ):
            Watch.objects.get_or_create(
                name=name, defaults={"kind": kind, "query": query, "channel": channel, "interval_minutes": 30}
            )
        self._feed_watches()
        return channel

    def _feed_watches(self):
        """Listening on the open web: a food blog and a local forum, on the local fake feed server."""
        from django.conf import settings

        from listening.models import Watch

        forums, _made = Channel.objects.get_or_create(
            key="demo-foros", defaults={"kind": "feed", "name": "Blogs y foros"}
        )
        base = f"http://127.0.0.1:{settings.DEMO_FEEDS_PORT}"
        for name, kind, path, keywords in (
            ("La Espiga en el foro", "brand", "/foro/panaderias.rss", "La Espiga\n@laespiga"),
            ("La Espiga en blogs", "brand", "/blog/feed.xml", "La Espiga"),
            ("Horno Doré en blogs", "competitor", "/blog/feed.xml", "Horno Doré"),
        ):
            Watch.objects.get_or_create(
                name=name,
                defaults={
                    "kind": kind,
                    "source": Watch.Source.FEED,
                    "feed_url": base + path,
                    "keywords": keywords,
                    "channel": forums,
                    "interval_minutes": 15,
                },
            )

    def _channels(self):
        channels = {}
        for key, name, secret in CHANNELS:
            channel, _made = Channel.objects.get_or_create(
                key=key, defaults={"kind": "web", "name": name, "credentials": {"secret": secret}}
            )
            channels[key] = channel
        return channels

    def _apply(self, conversation, outcome, users, written):
        if not outcome:
            return
        action, username, *rest = outcome.split(":", 2)
        user = users[username]
        conversation.assignee = user
        conversation.status = Conversation.Status.OPEN
        if action in {"answered", "resolved"}:
            replied = written + timedelta(minutes=47)
            reply = Message.objects.create(
                conversation=conversation,
                channel=conversation.channel,
                direction=Message.Direction.OUT,
                sender=user,
                body=rest[0],
                created_at=replied,
                delivery_status=Message.DeliveryStatus.SENT,
                idempotency_key=Message.new_idempotency_key(),
                external_id=f"<seed-{conversation.pk}@mostrador.local>",
                sent_at=replied,
                attempts=1,
            )
            waited_since = conversation.waiting_since
            conversation.first_response_at = replied
            conversation.last_outbound_at = replied
            conversation.waiting_since = None
            conversation.status = Conversation.Status.WAITING
            conversation_sla_replied(conversation=conversation, waited_since=waited_since, at=replied)
            events.reply_sent(message=reply)
            if action == "resolved":
                conversation.status = Conversation.Status.RESOLVED
                conversation_sla_resolved(conversation=conversation, at=replied + timedelta(hours=2))
                events.resolved(conversation=conversation, by=user)
        elif action == "note":
            note = Message.objects.create(
                conversation=conversation,
                channel=conversation.channel,
                direction=Message.Direction.NOTE,
                sender=user,
                body=rest[0],
                created_at=written + timedelta(minutes=20),
            )
            events.note_added(note=note)
        events.assigned(
            conversation=conversation,
            assignee_id=user.pk,
            previous_assignee_id=None,
            reason="manual",
            by=users["supervisor"],
        )
        conversation.save()
