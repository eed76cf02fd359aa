"""The console's words in English and Spanish (one table; templates call ``t("key")``).

The pages never build a sentence from parts in one language only: every key has both.
A test checks that every ``t("...")`` in the templates is here, in both languages.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from kiosk.domain.campaign import Campaign
from kiosk.domain.campaign_changes import campaign_changes
from kiosk.domain.campaign_format import CampaignFormatError, parse_campaign

LANGS = ("en", "es")

MESSAGES: dict[str, tuple[str, str]] = {
    "app": ("Petition Kiosk console", "Consola de Petition Kiosk"),
    "skip": ("Skip to content", "Saltar al contenido"),
    "nav": ("Console sections", "Secciones de la consola"),
    "overview": ("Overview", "Resumen"),
    "kiosks": ("Kiosks", "Quioscos"),
    "campaigns": ("Campaigns", "Campañas"),
    "exports": ("Exports", "Exportaciones"),
    "audit": ("Audit", "Auditoría"),
    "accounts": ("Accounts", "Cuentas"),
    "signout": ("Sign out", "Cerrar sesión"),
    "signin": ("Sign in", "Iniciar sesión"),
    "signed_in_as": ("Signed in as", "Sesión de"),
    "email": ("Email", "Correo electrónico"),
    "password": ("Password", "Contraseña"),
    "password_again": ("Password again", "Repita la contraseña"),
    "name": ("Name", "Nombre"),
    "role": ("Role", "Rol"),
    "role_admin": ("admin", "administrador"),
    "role_coordinator": ("coordinator", "coordinador"),
    "role_viewer": ("viewer", "lector"),
    "language": ("Language", "Idioma"),
    "sheet_language": ("Language of the sheets", "Idioma de las hojas"),
    "other_lang": ("Español", "English"),
    "bad_signin": ("Wrong email or password.", "Correo o contraseña incorrectos."),
    "rate_limited": (
        "Too many attempts. Try again in {seconds} seconds.",
        "Demasiados intentos. Vuelva a intentarlo en {seconds} segundos.",
    ),
    "csrf": (
        "This form expired or did not come from this console. Reload the page and try again.",
        "Este formulario caducó o no viene de esta consola. Recargue la página e inténtelo de nuevo.",
    ),
    "forbidden": (
        "Your role ({role}) may not do this. Ask an admin.",
        "Su rol ({role}) no permite hacer esto. Pida ayuda a un administrador.",
    ),
    "not_found": (
        "Not found: there is no such page, or what it showed is gone. Check the address, or "
        "start again from the overview.",
        "No encontrado: esa página no existe, o lo que mostraba ya no está. Revise la dirección "
        "o empiece de nuevo desde el resumen.",
    ),
    "database_unavailable": (
        "The database is not answering right now. Try again in a few seconds.",
        "La base de datos no responde en este momento. Vuelva a intentarlo en unos segundos.",
    ),
    "bad_form": (
        "This form could not be read (a field too long, too many fields, or a broken upload). "
        "Reload the page and try again.",
        "No se pudo leer este formulario (un campo demasiado largo, demasiados campos o un "
        "archivo dañado). Recargue la página e inténtelo de nuevo.",
    ),
    "body_too_large": (
        "This form is larger than the server accepts ({limit} MB at most), so nothing of it was "
        "read. A campaign file may be at most 1 MB: choose a smaller file and try again.",
        "Este formulario es más grande de lo que el servidor acepta ({limit} MB como máximo), así "
        "que no se leyó nada de él. Un archivo de campaña puede tener como máximo 1 MB: elija un "
        "archivo más pequeño e inténtelo de nuevo.",
    ),
    "body_timeout": (
        "This form stopped arriving before it was complete (the connection stalled), so nothing "
        "of it was read. Send it again.",
        "Este formulario dejó de llegar antes de estar completo (la conexión se detuvo), así que "
        "no se leyó nada de él. Envíelo de nuevo.",
    ),
    "server_busy": (
        "The server is busy receiving other uploads, so this form was not read. Try again in a "
        "few seconds.",
        "El servidor está ocupado recibiendo otros envíos, así que este formulario no se leyó. "
        "Vuelva a intentarlo en unos segundos.",
    ),
    "method_not_allowed": (
        "This address only receives a form sent from a console page; it does not open as a "
        "page. Go back to the page the form is on.",
        "Esta dirección solo recibe un formulario enviado desde una página de la consola; no se "
        "abre como página. Vuelva a la página donde está el formulario.",
    ),
    "bad_address": (
        "The address holds a character that cannot be used (NUL, %00). Check the link and try "
        "again.",
        "La dirección contiene un carácter que no se puede usar (NUL, %00). Revise el enlace e "
        "inténtelo de nuevo.",
    ),
    "internal_error": (
        "Something went wrong on the server; it is written in the server's log. Try again; if it "
        "happens again, tell whoever runs the server.",
        "Algo falló en el servidor; quedó anotado en su registro. Vuelva a intentarlo; si vuelve "
        "a pasar, avise a quien administra el servidor.",
    ),
    "request_refused": (
        "The server refused this request (HTTP {status}). Go back and try again.",
        "El servidor rechazó esta solicitud (HTTP {status}). Vuelva atrás e inténtelo de nuevo.",
    ),
    "session_ended": (
        "Your session ended (after 2 hours without a request, 12 hours after signing in, or when "
        "it was ended), so this form was not sent. Sign in again, then send the form again.",
        "Su sesión terminó (tras 2 horas sin actividad, 12 horas después de iniciarla o porque "
        "se cerró), así que este formulario no se envió. Inicie sesión de nuevo y vuelva a "
        "enviar el formulario.",
    ),
    "go_back": ("Back to the page you came from", "Volver a la página de la que venía"),
    "bad_text": (
        "A field holds a character that cannot be stored (NUL). Remove it and try again.",
        "Un campo contiene un carácter que no se puede guardar (NUL). Quítelo e inténtelo de nuevo.",
    ),
    "setup": ("First-run set-up", "Configuración inicial"),
    "setup_intro": (
        "No admin exists yet. Type the set-up code the server printed when it started (the line “console set-up code” in its output or log), and make the first admin account.",
        "Todavía no hay administrador. Escriba el código de configuración que el servidor mostró al arrancar (la línea «console set-up code» en su salida o su registro) y cree la primera cuenta de administrador.",
    ),
    "setup_code": ("Set-up code", "Código de configuración"),
    "setup_bad_code": (
        "That set-up code is wrong or expired. Restart the server for a new one.",
        "El código de configuración es incorrecto o caducó. Reinicie el servidor para obtener otro.",
    ),
    "setup_make": ("Make the admin account", "Crear la cuenta de administrador"),
    "passwords_differ": ("The two passwords differ.", "Las dos contraseñas no coinciden."),
    "password_short": (
        "The password must have at least 12 characters.",
        "La contraseña debe tener al menos 12 caracteres.",
    ),
    "password_long": ("The password is too long.", "La contraseña es demasiado larga."),
    "email_invalid": ("That is not an email address.", "Eso no es un correo electrónico."),
    "email_taken": ("That email already has an account.", "Ese correo ya tiene una cuenta."),
    "role_invalid": ("Unknown role.", "Rol desconocido."),
    "progress": ("Progress", "Avance"),
    "goal": ("Goal", "Meta"),
    "signatures": ("Signatures", "Firmas"),
    "of_goal": ("{n} of {goal}", "{n} de {goal}"),
    "no_campaigns": (
        "No campaigns yet. Upload one under Campaigns.",
        "Todavía no hay campañas. Suba una en Campañas.",
    ),
    "local_campaigns": ("Local campaigns", "Campañas locales"),
    "decision_maker": ("Decision-maker", "Responsable"),
    "place": ("Place", "Lugar"),
    "search": ("Search", "Buscar"),
    "search_locals": ("Search local campaigns", "Buscar campañas locales"),
    "sort_by": ("Sort by {col}", "Ordenar por {col}"),
    "shown": ("{n} shown", "{n} mostradas"),
    "shown_one": ("1 shown", "1 mostrada"),
    "per_hour": ("Signatures per hour (last 48 hours)", "Firmas por hora (últimas 48 horas)"),
    "per_day": ("Signatures per day (last 30 days)", "Firmas por día (últimos 30 días)"),
    "chart_empty": ("No signatures in this period.", "No hay firmas en este periodo."),
    "chart_total": ("{n} signatures in this period", "{n} firmas en este periodo"),
    "chart_total_one": ("1 signature in this period", "1 firma en este periodo"),
    "event": ("Event", "Evento"),
    "device": ("Kiosk", "Quiosco"),
    "all": ("All", "Todos"),
    "filter": ("Filter", "Filtrar"),
    "filter_note": (
        "The event and kiosk filters apply to the charts; the totals and the local campaigns' table count every signature.",
        "Los filtros de evento y quiosco se aplican a los gráficos; los totales y la tabla de campañas locales cuentan todas las firmas.",
    ),
    "last_seen": ("Last seen", "Visto por última vez"),
    "never": ("never", "nunca"),
    "stale": ("not seen for over {hours} h", "sin noticias desde hace más de {hours} h"),
    "status": ("Status", "Estado"),
    "active": ("active", "activo"),
    "revoked": ("revoked", "revocado"),
    "pending_tablet": ("Pending on tablet", "Pendientes en la tableta"),
    "version": ("App version", "Versión"),
    "unknown": ("unknown", "desconocido"),
    "known_note": (
        "Including {n} signed before the kiosks or elsewhere (the campaign file's count; the local campaigns' counts include their own): the signature sheets hold only the signatures this server received.",
        "Incluye {n} firmas reunidas antes de los quioscos o en otro lugar (la cifra del archivo de la campaña; las cifras de las campañas locales incluyen las suyas): las hojas de firmas solo llevan las firmas que recibió este servidor.",
    ),
    "known_note_locals": (
        "The local campaigns' counts include signatures collected before the kiosks or elsewhere (the campaign file's counts): the signature sheets hold only the signatures this server received.",
        "Las cifras de las campañas locales incluyen firmas reunidas antes de los quioscos o en otro lugar (las cifras del archivo de la campaña): las hojas de firmas solo llevan las firmas que recibió este servidor.",
    ),
    "open_rally": ("Rally screen", "Pantalla del mitin"),
    "details": ("Details", "Detalles"),
    "enroll_new": ("Enroll a new kiosk", "Inscribir un quiosco nuevo"),
    "kiosk_name": ("Kiosk name", "Nombre del quiosco"),
    "valid_hours": ("Valid for (hours)", "Válido durante (horas)"),
    "make_code": ("Make an enrollment code", "Crear un código de inscripción"),
    "code_for": ("Enrollment code for {name}", "Código de inscripción para {name}"),
    "code_help": (
        "On the kiosk: hold the top-left corner for 3 seconds and type the staff PIN, then tap Connect to server and type the server address and this code. It works once, until {expires}. (On a command line: kiosk enroll --server ADDRESS --code CODE.)",
        "En el quiosco: mantenga pulsada la esquina superior izquierda 3 segundos y escriba el PIN del personal; luego toque «Conectar al servidor» y escriba la dirección del servidor y este código. Sirve una sola vez, hasta el {expires}. (En una línea de órdenes: kiosk enroll --server DIRECCIÓN --code CÓDIGO.)",
    ),
    "server_address": ("Server address", "Dirección del servidor"),
    "rename": ("Rename", "Renombrar"),
    "revoke": ("Revoke", "Revocar"),
    "revoke_confirm": (
        "Revoke the kiosk “{name}” now? It can no longer sync, at once; its signatures already here stay.",
        "¿Revocar ahora el quiosco «{name}»? Deja de poder sincronizar al instante; sus firmas ya recibidas se conservan.",
    ),
    "renamed": ("Kiosk renamed.", "Quiosco renombrado."),
    "revoked_done": ("Kiosk revoked.", "Quiosco revocado."),
    "open_codes": ("Enrollment codes not used yet", "Códigos de inscripción aún sin usar"),
    "open_codes_help": (
        "Each works once, until it expires. Cancel one that is no longer needed: one shown on a screen that is gone, or a second one made when a code's page was reloaded.",
        "Cada uno sirve una sola vez, hasta que vence. Anule el que ya no haga falta: uno que se mostró en una pantalla que ya no está, o un segundo creado al recargar la página de un código.",
    ),
    "open_codes_more": (
        "The newest {shown} of the {total} codes not used yet are listed here; cancel some, "
        "or list every one with kiosk-server devices codes.",
        "Aquí se muestran los {shown} más recientes de los {total} códigos aún sin usar; anule "
        "algunos o véalos todos con kiosk-server devices codes.",
    ),
    "code_made": ("Made", "Creado"),
    "code_expires": ("Expires", "Vence"),
    "cancel_code": ("Cancel code", "Anular código"),
    "cancel_code_for": ("Cancel code for {name}", "Anular código para {name}"),
    "cancel_code_confirm": (
        "Cancel the enrollment code for {name}? No kiosk can use it afterwards.",
        "¿Anular el código de inscripción para {name}? Ningún quiosco podrá usarlo después.",
    ),
    "code_cancelled": ("Enrollment code cancelled.", "Código de inscripción anulado."),
    "name_invalid": (
        "A name has 1 to 120 characters, without control characters.",
        "Un nombre tiene de 1 a 120 caracteres, sin caracteres de control.",
    ),
    "hours_invalid": (
        "A code is valid for 1 to 720 hours (30 days).",
        "Un código es válido de 1 a 720 horas (30 días).",
    ),
    "no_kiosks": ("No kiosks enrolled yet.", "Todavía no hay quioscos inscritos."),
    "enrolled": ("Enrolled", "Inscrito"),
    "errors": ("Conflicts", "Conflictos"),
    "last_sync": ("Last sync", "Última sincronización"),
    "last_error": ("Last sync error", "Último error de sincronización"),
    "no_error": ("none", "ninguno"),
    "not_reported": ("not reported", "sin informe"),
    "error_at": ("at {when}", "el {when}"),
    "error_at_since": ("at {when}; synced since", "el {when}; sincronizó después"),
    "error_code": (
        "Error code the kiosk sent: {code}",
        "Código de error que envió el quiosco: {code}",
    ),
    "upload": ("Upload a campaign file", "Subir un archivo de campaña"),
    "campaign_file": ("Campaign file (TOML)", "Archivo de campaña (TOML)"),
    "no_file_chosen": (
        "campaign file: no file was chosen",
        "archivo de campaña: no se eligió ningún archivo",
    ),
    "check": ("Check the file", "Revisar el archivo"),
    "file_errors": (
        "The file has errors; nothing was published:",
        "El archivo tiene errores; no se publicó nada:",
    ),
    "file_ok": (
        "{slug}: valid. Local campaigns: {locals}. Text versions: {versions} (new: {new}). Publish it to the kiosks?",
        "{slug}: válido. Campañas locales: {locals}. Versiones del texto: {versions} (nuevas: {new}). ¿Publicarlo en los quioscos?",
    ),
    "publish": ("Publish", "Publicar"),
    "paper": ("Paper (PDF)", "Papel (PDF)"),
    "paper_letter": ("Letter (U.S.)", "Carta (EE. UU.)"),
    "rows_per_sheet": ("Signatures per sheet (PDF)", "Firmas por hoja (PDF)"),
    "print_comments": (
        "Print each signer's comment (PDF)",
        "Imprimir el comentario de cada firmante (PDF)",
    ),
    "split_by_state": (
        "One file per signers' state (PDF)",
        "Un archivo por estado de los firmantes (PDF)",
    ),
    "per_file": (
        "At most this many signatures a file (PDF; empty: no limit)",
        "Como máximo esta cantidad de firmas por archivo (PDF; vacío: sin límite)",
    ),
    "csv_for_excel": (
        "For Excel (Windows): letters such as á and ñ show correctly (CSV)",
        "Para Excel (Windows): las letras como á y ñ se ven correctamente (CSV)",
    ),
    "dates_in_utc": ("Dates are whole days in UTC.", "Las fechas son días completos en UTC."),
    "dates_in_zone": (
        "Dates are whole days in {zone} (this browser's time zone).",
        "Las fechas son días completos en {zone} (la zona horaria de este navegador).",
    ),
    "changes_heading": ("What publishing it changes", "Qué cambia al publicarlo"),
    "changes_unknown": (
        "The published file is of an older format and cannot be compared with this one.",
        "El archivo publicado tiene un formato anterior y no se puede comparar con este.",
    ),
    "kind_petition": ("petition", "petición"),
    "kind_letter": ("letter", "carta"),
    "chg_first": (
        "This campaign is new: kiosks get it at their next sync.",
        "Esta campaña es nueva: los quioscos la reciben en su próxima sincronización.",
    ),
    "chg_none": (
        "Nothing changes: this is the file already published.",
        "No cambia nada: es el archivo que ya está publicado.",
    ),
    "chg_text": (
        "The text changes. Signers from now on sign the new text; signatures already collected stay with the text they signed, and the sheets print each text.",
        "El texto cambia. Quienes firmen a partir de ahora firman el texto nuevo; las firmas ya recogidas siguen con el texto que firmaron, y las hojas imprimen cada texto.",
    ),
    "chg_title": (
        "Title: “{old}” → “{new}” (the text signers sign stays the same).",
        "Título: «{old}» → «{new}» (el texto que se firma no cambia).",
    ),
    "chg_locals_title": (
        "New title for {n} local campaigns (the text they sign stays the same): {names}.",
        "Título nuevo en {n} campañas locales (el texto que se firma no cambia): {names}.",
    ),
    "chg_locals_title_one": (
        "New title for 1 local campaign (the text it signs stays the same): {names}.",
        "Título nuevo en 1 campaña local (el texto que se firma no cambia): {names}.",
    ),
    "chg_kind": ("Kind: {old} → {new}.", "Tipo: {old} → {new}."),
    "chg_organization": ("Organization: {old} → {new}.", "Organización: {old} → {new}."),
    "chg_goal": ("Goal: {old} → {new}.", "Meta: {old} → {new}."),
    "chg_known_count": (
        "Signatures gathered elsewhere: {old} → {new}.",
        "Firmas reunidas por otras vías: {old} → {new}.",
    ),
    "chg_locals_added": (
        "{n} local campaigns added: {names}.",
        "{n} campañas locales nuevas: {names}.",
    ),
    "chg_locals_added_one": ("1 local campaign added: {names}.", "1 campaña local nueva: {names}."),
    "chg_locals_removed": (
        "{n} local campaigns removed (kiosks stop offering them; their signatures are kept): {names}.",
        "{n} campañas locales quitadas (los quioscos dejan de ofrecerlas; sus firmas se conservan): {names}.",
    ),
    "chg_locals_removed_one": (
        "1 local campaign removed (kiosks stop offering it; its signatures are kept): {names}.",
        "1 campaña local quitada (los quioscos dejan de ofrecerla; sus firmas se conservan): {names}.",
    ),
    "chg_locals_text": (
        "New text for {n} local campaigns: {names}.",
        "Texto nuevo en {n} campañas locales: {names}.",
    ),
    "chg_locals_text_one": (
        "New text for 1 local campaign: {names}.",
        "Texto nuevo en 1 campaña local: {names}.",
    ),
    "chg_locals_goal": (
        "New goal for {n} local campaigns: {names}.",
        "Meta nueva en {n} campañas locales: {names}.",
    ),
    "chg_locals_goal_one": (
        "New goal for 1 local campaign: {names}.",
        "Meta nueva en 1 campaña local: {names}.",
    ),
    "chg_more": ("And {n} more.", "Y {n} más."),
    "chg_updates_added": ("{n} updates added.", "{n} novedades nuevas."),
    "chg_updates_added_one": ("1 update added.", "1 novedad nueva."),
    "chg_updates_removed": ("{n} updates removed.", "{n} novedades quitadas."),
    "chg_updates_removed_one": ("1 update removed.", "1 novedad quitada."),
    "chg_consent": (
        "The consent text (what signers agree to) changes.",
        "El texto de consentimiento (lo que aceptan quienes firman) cambia.",
    ),
    "chg_fields": ("Form fields: {names}.", "Campos del formulario: {names}."),
    "chg_area": (
        "The campaign's area (place, decision-maker or ZIP codes) changes.",
        "El área de la campaña (lugar, responsable o códigos postales) cambia.",
    ),
    "published": (
        "{slug}: {status}. Kiosks pick it up at their next sync.",
        "{slug}: {status}. Los quioscos la reciben en su próxima sincronización.",
    ),
    "imported": ("Published", "Publicado"),
    "pub_created": ("published for the first time", "publicada por primera vez"),
    "pub_updated": ("updated", "actualizada"),
    "pub_unchanged": (
        "unchanged (the same file was already published)",
        "sin cambios (ya se había publicado el mismo archivo)",
    ),
    "n_local_campaigns": ("{n} local campaigns", "{n} campañas locales"),
    "n_local_campaigns_one": ("1 local campaign", "1 campaña local"),
    "text_versions": ("Text versions", "Versiones del texto"),
    "signed": ("Signed", "Firmado"),
    "first_seen": ("First seen", "Visto por primera vez"),
    "title": ("Title", "Título"),
    "new_export": ("New export", "Nueva exportación"),
    "campaign": ("Campaign", "Campaña"),
    "local_campaign": ("Local campaign", "Campaña local"),
    "every_local": ("All (one packet per decision-maker)", "Todas (un paquete por responsable)"),
    "whole_campaign": ("The whole campaign in one packet", "Toda la campaña en un paquete"),
    "since": ("From date", "Desde"),
    "until": ("To date (included)", "Hasta (incluida)"),
    "every_event": ("Every event", "Todos los eventos"),
    "export_invalid": (
        "That export cannot be made: choose a campaign, local campaign, event and dates from the form.",
        "No se puede hacer esa exportación: elija campaña, campaña local, evento y fechas del formulario.",
    ),
    "export_bad_dates": (
        "The end date is before the start date.",
        "La fecha final es anterior a la inicial.",
    ),
    "kind": ("Kind", "Tipo"),
    "kind_pdf": ("PDF packets (names, city, signature)", "Paquetes PDF (nombres, ciudad, firma)"),
    "kind_csv": ("CSV contact list", "Lista de contactos CSV"),
    "include_test": (
        "Include test data (simulated signers)",
        "Incluir datos de prueba (firmantes simulados)",
    ),
    "start_export": ("Start the export", "Iniciar la exportación"),
    "export_jobs": ("Your exports", "Sus exportaciones"),
    "state_queued": ("waiting", "en espera"),
    "state_running": ("working", "en curso"),
    "state_done": ("ready", "lista"),
    "state_failed": ("failed", "falló"),
    "download": ("Download", "Descargar"),
    "export_failed_nothing_to_export": (
        "no signatures match these choices: nothing was exported. Widen the dates, the event or the local campaign.",
        "ninguna firma coincide con estas opciones: no se exportó nada. Amplíe las fechas, el evento o la campaña local.",
    ),
    "export_failed_nothing_to_export_test_data": (
        "no real signatures match these choices: nothing was exported. Those that match are test data (simulated signers): tick “Include test data (simulated signers)” to export them, marked TEST DATA.",
        "ninguna firma real coincide con estas opciones: no se exportó nada. Las que coinciden son datos de prueba (firmantes simulados): marque «Incluir datos de prueba (firmantes simulados)» para exportarlas, marcadas DATOS DE PRUEBA.",
    ),
    "export_failed_no_private_key": (
        "this server has no organization key to open signatures: start it with its key file.",
        "este servidor no tiene la clave de la organización para abrir las firmas: arránquelo con su archivo de clave.",
    ),
    "export_failed_database_unavailable": (
        "the database did not answer during the export: nothing was made. Start it again.",
        "la base de datos no respondió durante la exportación: no se hizo nada. Iníciela de nuevo.",
    ),
    "export_failed_stopped": (
        "the server stopped before the export was finished. Start it again.",
        "el servidor se detuvo antes de terminar la exportación. Iníciela de nuevo.",
    ),
    "no_jobs": ("No exports yet.", "Todavía no hay exportaciones."),
    "viewer_no_export": (
        "Viewers cannot export: exports hold personal data.",
        "Los lectores no pueden exportar: las exportaciones contienen datos personales.",
    ),
    "export_key_note": (
        "Exports open signers' data with the organization's private key, which the server read from its key file at start-up and holds in memory only.",
        "Las exportaciones abren los datos de los firmantes con la clave privada de la organización, que el servidor leyó de su archivo al arrancar y guarda solo en memoria.",
    ),
    "records": ("{n} signatures", "{n} firmas"),
    "records_one": ("1 signature", "1 firma"),
    "chains": ("Audit chains", "Cadenas de auditoría"),
    "chain": ("Chain", "Cadena"),
    "entries": ("Entries", "Entradas"),
    "result": ("Result", "Resultado"),
    "chain_ok": ("verified", "verificada"),
    "chain_broken": ("BROKEN at entry {seq}: {reason}", "ROTA en la entrada {seq}: {reason}"),
    "server_chain": ("This server", "Este servidor"),
    "quarantine": (
        "Quarantine: records that could not be read",
        "Cuarentena: registros que no se pudieron leer",
    ),
    "quarantine_none": ("No quarantined records.", "No hay registros en cuarentena."),
    "received": ("Received", "Recibido"),
    "why": ("Why", "Motivo"),
    "recent_server": ("Recent server entries", "Entradas recientes del servidor"),
    "when": ("When", "Cuándo"),
    "action": ("Action", "Acción"),
    "sessions": ("Open sessions", "Sesiones abiertas"),
    "address": ("Address", "Dirección"),
    "started": ("Started", "Inicio"),
    "end_session": ("End session", "Terminar sesión"),
    # Holds the button's visible words (WCAG 2.5.3, label in name), then whose session it is.
    "end_session_of": ("End session: {email}", "Terminar sesión: {email}"),
    "end_session_confirm": (
        "End this session of {email}? They will have to sign in again.",
        "¿Terminar esta sesión de {email}? Tendrá que volver a iniciar sesión.",
    ),
    "end_own_session_confirm": (
        "This is your own session: end it and sign out?",
        "Esta es su propia sesión: ¿terminarla y cerrar la sesión?",
    ),
    "add_account": ("Add an account", "Agregar una cuenta"),
    "account_made": ("Made", "Creada"),
    "account_active": ("active", "activa"),
    "account_is_revoked": ("revoked", "revocada"),
    "change_role": ("Change the role", "Cambiar el rol"),
    "roles_help": (
        "A viewer reads every page and exports nothing; a coordinator also exports, enrolls and revokes kiosks and publishes campaigns; an admin also manages accounts.",
        "Un lector ve todas las páginas y no exporta nada; un coordinador además exporta, registra y revoca quioscos y publica campañas; un administrador además gestiona las cuentas.",
    ),
    "role_changed": ("The role of {email} is changed.", "El rol de {email} ha cambiado."),
    "role_same": ("{email} already has that role.", "{email} ya tiene ese rol."),
    "new_password": ("Set a new password", "Poner una contraseña nueva"),
    "new_password_help": (
        "For a forgotten or leaked password. Every open session of the account ends; give the person the new password in person or by phone, never by email.",
        "Para una contraseña olvidada o filtrada. Se cierran todas las sesiones abiertas de la cuenta; dé la contraseña nueva a la persona en persona o por teléfono, nunca por correo.",
    ),
    "password_set": (
        "{email} has a new password; their open sessions ended.",
        "{email} tiene una contraseña nueva; sus sesiones abiertas se cerraron.",
    ),
    "revoke_account": ("Revoke this account", "Revocar esta cuenta"),
    "revoke_account_help": (
        "The person can no longer sign in, their open sessions end and their API token stops working at once. It cannot be undone: add a new account if they come back.",
        "La persona ya no puede iniciar sesión, sus sesiones abiertas se cierran y su token de API deja de funcionar en el acto. No se puede deshacer: cree una cuenta nueva si vuelve.",
    ),
    "revoke_account_confirm": (
        "Revoke the account of {email}? It cannot be undone.",
        "¿Revocar la cuenta de {email}? No se puede deshacer.",
    ),
    "account_revoked_now": (
        "The account of {email} is revoked.",
        "La cuenta de {email} está revocada.",
    ),
    "last_admin": (
        "This is the only active admin: make another admin first, so that someone can still manage the accounts.",
        "Es el único administrador activo: nombre antes a otro administrador, para que alguien pueda seguir gestionando las cuentas.",
    ),
    "account_unknown": ("There is no such console account.", "No existe esa cuenta de la consola."),
    "account_revoked": ("This account is revoked.", "Esta cuenta está revocada."),
    "account_added": (
        "Account {email} added. Give that person the console's address, {address}, and the password you chose; they sign in with their email.",
        "Cuenta {email} agregada. Dé a esa persona la dirección de la consola, {address}, y la contraseña que eligió; inicia sesión con su correo.",
    ),
    "rally_today": ("Today", "Hoy"),
    "rally_moving": ("Moving most (last hour)", "Las que más avanzan (última hora)"),
    "rally_offline": ("Reconnecting…", "Reconectando…"),
    "rally_busy": (
        "The server is busy. Reload this page in a few seconds.",
        "El servidor está ocupado. Vuelva a cargar esta página en unos segundos.",
    ),
    "rally_test": ("TEST DATA, not signatures", "DATOS DE PRUEBA, no son firmas"),
    "rally_signatures": ("signatures", "firmas"),
    "rally_signature": ("signature", "firma"),
    "saved": ("Saved.", "Guardado."),
    # The Forwarding page (kiosk/server/console/forwarding.py, issue #16).
    "forwarding": ("Forwarding", "Reenvío"),
    "fwd_intro": (
        "Each signature that is not synthetic nor voided goes once to every destination of its "
        "campaign: Action Network (or another OSDI server) or a signed webhook. The forwarder "
        "runs as its own process (kiosk-server forward run).",
        "Cada firma que no es sintética ni anulada se envía una vez a cada destino de su "
        "campaña: Action Network (u otro servidor OSDI) o un webhook firmado. El reenviador "
        "funciona como un proceso aparte (kiosk-server forward run).",
    ),
    "fwd_none": (
        "No destinations yet.",
        "Todavía no hay destinos.",
    ),
    "fwd_destinations": ("Destinations", "Destinos"),
    "fwd_destination": ("Destination", "Destino"),
    "fwd_campaign": ("Campaign", "Campaña"),
    "fwd_all_locals": ("whole campaign", "toda la campaña"),
    "fwd_state": ("State", "Estado"),
    "fwd_active": ("active", "activo"),
    "fwd_paused": ("paused", "en pausa"),
    "fwd_held": (
        "held until {when} (the destination asked to wait, or refused the credentials)",
        "en espera hasta {when} (el destino pidió esperar o rechazó las credenciales)",
    ),
    "fwd_pending": ("Pending", "Pendientes"),
    "fwd_failing": ("Failing", "Con fallos"),
    "fwd_sent": ("Sent", "Enviadas"),
    "fwd_dead": ("Dead", "Descartadas"),
    "fwd_skipped": ("Skipped", "Omitidas"),
    "fwd_last_failure": ("Last failure", "Último fallo"),
    "fwd_actions": ("Actions", "Acciones"),
    "fwd_pause": ("Pause", "Pausar"),
    "fwd_resume": ("Resume", "Reanudar"),
    "fwd_retry": ("Retry dead letters", "Reintentar descartadas"),
    "fwd_remove": ("Remove", "Eliminar"),
    "fwd_remove_h": ("Remove a destination", "Eliminar un destino"),
    "fwd_remove_confirm": (
        "Type the destination's name again to remove it with its queue and its history.",
        "Escriba otra vez el nombre del destino para eliminarlo con su cola y su historial.",
    ),
    "fwd_kind_osdi": ("Action Network / OSDI", "Action Network u otro servidor OSDI"),
    "fwd_kind_webhook": ("signed webhook", "webhook firmado"),
    "fwd_add": ("Add a destination", "Agregar un destino"),
    "fwd_name": ("Name (lowercase, digits, . _ -)", "Nombre (minúsculas, dígitos, . _ -)"),
    "fwd_kind": ("Kind", "Tipo"),
    "fwd_url": ("URL", "Dirección (URL)"),
    "fwd_url_help": (
        "Action Network: the petition's signatures URL (…/petitions/ID/signatures/). Webhook: "
        "the receiver. HTTPS only (plain HTTP to this machine only). Addresses on this machine "
        "or a private network only where the server's operator allows them.",
        "Action Network: la URL de firmas de la petición (…/petitions/ID/signatures/). Webhook: "
        "el receptor. Solo HTTPS (HTTP sin cifrar solo hacia esta máquina). Direcciones de esta "
        "máquina o de una red privada solo si quien administra el servidor las permite.",
    ),
    "fwd_credential": ("API token or webhook secret", "Token de la API o secreto del webhook"),
    "fwd_credential_help": (
        "Typed once, sealed, never shown again. Leave it empty for a webhook to have one made.",
        "Se escribe una vez, se sella y no se vuelve a mostrar. Déjelo vacío en un webhook "
        "para que se genere uno.",
    ),
    "fwd_rate": ("Requests per second at most", "Peticiones por segundo como máximo"),
    "fwd_rate_help": (
        "Empty: 3 for OSDI (Action Network allows about 4), no limit for webhooks.",
        "Vacío: 3 para OSDI (Action Network admite unas 4), sin límite para webhooks.",
    ),
    "fwd_without_opt_in": ("Signers without opt-in", "Firmantes sin suscripción"),
    "fwd_opt_skip": ("not sent (Action Network)", "no se envían (Action Network)"),
    "fwd_opt_unsubscribed": (
        "sent as unsubscribed (other OSDI servers)",
        "se envían como no suscritos (otros servidores OSDI)",
    ),
    "fwd_added": ("Destination {name} added.", "Destino {name} agregado."),
    "fwd_made_secret": (
        "The webhook signing secret, shown this once: give it to the receiving system now.",
        "El secreto de firma del webhook, que se muestra solo esta vez: entréguelo ahora al "
        "sistema receptor.",
    ),
    "fwd_removed": ("Destination {name} removed.", "Destino {name} eliminado."),
    "fwd_change_h": (
        "Change a destination's URL or credential",
        "Cambiar la URL o la credencial de un destino",
    ),
    "fwd_change_intro": (
        "For a revoked token or a receiver that moved. Leave a field empty to keep it. The "
        "destination keeps its queue and history; what is pending is tried again at the next "
        "pass (dead letters: “Retry dead letters”).",
        "Para un token revocado o un receptor que cambió de dirección. Deje un campo vacío para "
        "conservarlo. El destino conserva su cola y su historial; lo pendiente se vuelve a "
        "intentar en la próxima pasada (las descartadas: «Reintentar descartadas»).",
    ),
    "fwd_new_url": ("New URL", "URL nueva"),
    "fwd_new_credential": (
        "New API token or webhook secret",
        "Token de la API o secreto del webhook nuevo",
    ),
    "fwd_change": ("Change", "Cambiar"),
    "fwd_changed": (
        "{name} changed: it is tried again at the forwarder's next pass.",
        "{name} cambiado: se vuelve a intentar en la próxima pasada del reenviador.",
    ),
    "fwd_err_nothing_to_change": (
        "Give a new URL or a new credential (or both).",
        "Indique una URL nueva o una credencial nueva (o ambas).",
    ),
    "fwd_paused_done": ("{name} is paused.", "{name} está en pausa."),
    "fwd_resumed_done": ("{name} sends again.", "{name} vuelve a enviar."),
    "fwd_retried": (
        "{n} dead letters of {name} queued again.",
        "{n} firmas descartadas de {name} en cola otra vez.",
    ),
    "fwd_retried_one": (
        "1 dead letter of {name} queued again.",
        "1 firma descartada de {name} en cola otra vez.",
    ),
    "fwd_error": ("Not saved: {message}", "No se guardó: {message}"),
    "fwd_need_token": (
        "An Action Network / OSDI destination needs its API token: paste it in “API token or webhook secret”.",
        "Un destino de Action Network u OSDI necesita su token de la API: péguelo en «Token de la API o secreto del webhook».",
    ),
    "fwd_bad_rate": (
        "not a number of requests per second",
        "no es un número de peticiones por segundo",
    ),
    "fwd_name_mismatch": (
        "The name typed does not match: nothing was removed.",
        "El nombre escrito no coincide: no se eliminó nada.",
    ),
    "fwd_voided": ("Forwarded, then voided", "Reenviadas y luego anuladas"),
    "fwd_voided_intro": (
        "These signatures reached a destination before they were voided: remove them there by "
        "hand.",
        "Estas firmas llegaron a un destino antes de ser anuladas: elimínelas allí a mano.",
    ),
    "fwd_voided_none": (
        "No forwarded signature has been voided.",
        "Ninguna firma reenviada ha sido anulada.",
    ),
    "fwd_signature": ("Signature", "Firma"),
    "fwd_sent_at": ("Sent", "Enviada"),
    "fwd_voided_at": ("Voided", "Anulada"),
    "fwd_remote_id": ("Id at the destination", "Id en el destino"),
    "fwd_maybe": (
        "maybe (the forwarder stopped before the answer)",
        "quizá (el reenviador se detuvo antes de la respuesta)",
    ),
    "fwd_more": (
        "and {n} more (kiosk-server forward status --voided)",
        "y {n} más (kiosk-server forward status --voided)",
    ),
    "fwd_forwarder_never": (
        "No forwarder has run yet: nothing is sent to these destinations until whoever runs "
        "the server starts it (kiosk-server forward run).",
        "Todavía no ha funcionado ningún reenviador: no se envía nada a estos destinos hasta "
        "que quien administra el servidor lo ponga en marcha (kiosk-server forward run).",
    ),
    "fwd_forwarder_quiet": (
        "The forwarder last ran at {when}: nothing is being sent. Ask whoever runs the server "
        "to check it (kiosk-server forward run).",
        "El reenviador funcionó por última vez el {when}: no se está enviando nada. Pida a "
        "quien administra el servidor que lo revise (kiosk-server forward run).",
    ),
    # What the columns mean and how to send again.
    "fwd_legend": (
        "Pending: waiting for the forwarder (Failing: of those, the ones whose last try failed; "
        "they are tried again by themselves, later and later). Dead: given up after too many "
        "failures or a refusal; they stay here until you fix the cause and press “Retry dead "
        "letters”, which sends them again at the forwarder's next pass. Skipped: never sent, "
        "on purpose (the reason is under the number).",
        "Pendientes: esperan al reenviador («Con fallos»: las que fallaron en su último intento; "
        "se reintentan solas, cada vez más espaciadas). Descartadas: abandonadas tras demasiados "
        "fallos o un rechazo; se quedan aquí hasta que usted corrija la causa y pulse "
        "«Reintentar descartadas», que las vuelve a enviar en la próxima pasada del reenviador. "
        "Omitidas: nunca se envían, a propósito (el motivo está bajo el número).",
    ),
    "fwd_see_why": ("why, and what to do", "por qué y qué hacer"),
    "fwd_failures_h": ("Last failure of each destination", "Último fallo de cada destino"),
    # A failed attempt: what became of it (the attempt's result) ...
    "fwd_result_retry": ("will be tried again", "se volverá a intentar"),
    "fwd_result_dead": ("given up", "abandonada"),
    "fwd_result_rate_limited": ("sending held", "envío en espera"),
    # ... and why (kiosk.server.forwarding.explain.failure_code).
    "fwd_why_rate_limited": (
        "The destination asked to slow down (HTTP 429). Nothing to do: sending waits and goes on "
        "by itself.",
        "El destino pidió ir más despacio (HTTP 429). No hay que hacer nada: el envío espera y "
        "sigue solo.",
    ),
    "fwd_why_refused_document": (
        "The destination refused the signature as sent (HTTP {status}). Sending it again will "
        "not help until the destination is set up to take it (the petition, its fields).",
        "El destino rechazó la firma tal como se envió (HTTP {status}). Reenviarla no servirá "
        "hasta que el destino esté preparado para recibirla (la petición, sus campos).",
    ),
    "fwd_why_auth": (
        "The destination refused the credentials (HTTP {status}): the API token or webhook "
        "secret is wrong or was revoked. Give it the right one under “Change a destination's URL "
        "or credential”.",
        "El destino rechazó las credenciales (HTTP {status}): el token de la API o el secreto "
        "del webhook es incorrecto o fue revocado. Déle el correcto en «Cambiar la URL o la "
        "credencial de un destino».",
    ),
    "fwd_why_not_found": (
        "Nothing at that address (HTTP {status}): check the URL (for Action Network, the "
        "petition's id) or whether the petition was deleted.",
        "No hay nada en esa dirección (HTTP {status}): revise la URL (en Action Network, el id "
        "de la petición) o si la petición fue eliminada.",
    ),
    "fwd_why_redirect": (
        "The destination answered with a redirect (HTTP {status}). Redirects are never followed, "
        "so nothing was delivered: find the receiver's current URL (https://, a trailing slash) "
        "and give it under “Change a destination's URL or credential”.",
        "El destino respondió con una redirección (HTTP {status}). Las redirecciones nunca se "
        "siguen, así que no se entregó nada: averigüe la URL actual del receptor (https://, una "
        "barra final) e indíquela en «Cambiar la URL o la credencial de un destino».",
    ),
    "fwd_why_server_error": (
        "The destination had an error of its own (HTTP {status}), usually a passing one.",
        "El destino tuvo un error propio (HTTP {status}), que suele ser pasajero.",
    ),
    "fwd_why_http_other": (
        "The destination answered HTTP {status}, which is not a success.",
        "El destino respondió HTTP {status}, que no es un éxito.",
    ),
    "fwd_why_empty_answer": (
        "Action Network answered without recording the signature (an empty answer): usually a "
        "signer it cannot match, or a petition that no longer takes signatures.",
        "Action Network respondió sin registrar la firma (una respuesta vacía): suele ser un "
        "firmante que no puede identificar o una petición que ya no acepta firmas.",
    ),
    "fwd_why_too_large": (
        "The destination's answer was far too long, so it was cut off.",
        "La respuesta del destino era demasiado larga y se cortó.",
    ),
    "fwd_why_bad_answer": (
        "The destination answered something that is not a valid answer (not HTTP, or unreadable).",
        "El destino respondió algo que no es una respuesta válida (no es HTTP, o no se puede leer).",
    ),
    "fwd_why_timeout": (
        "The destination did not answer in time. If it lasts, check that the destination is up.",
        "El destino no respondió a tiempo. Si continúa, compruebe que el destino esté funcionando.",
    ),
    "fwd_why_refused": (
        "The destination's machine refused the connection (nothing listens at that address and "
        "port).",
        "La máquina del destino rechazó la conexión (nada escucha en esa dirección y puerto).",
    ),
    "fwd_why_dns": (
        "The destination's name could not be found (DNS): check the URL's spelling.",
        "No se encontró el nombre del destino (DNS): revise cómo está escrita la URL.",
    ),
    "fwd_why_certificate": (
        "The destination's HTTPS certificate is not valid for its name, or not trusted.",
        "El certificado HTTPS del destino no es válido para su nombre o no es de confianza.",
    ),
    "fwd_why_tls": (
        "The secure (HTTPS) connection to the destination failed.",
        "Falló la conexión segura (HTTPS) con el destino.",
    ),
    "fwd_why_dropped": (
        "The connection was cut before the answer. A signature sent again carries the same id, "
        "so the destination keeps it once.",
        "La conexión se cortó antes de la respuesta. Una firma reenviada lleva el mismo "
        "identificador, así que el destino la guarda una sola vez.",
    ),
    "fwd_why_address_internal": (
        "Not sent: the destination's name now leads to an address on this machine or a private "
        "network, which this server does not send to (KIOSK_FORWARD_ALLOW_NETWORKS).",
        "No se envió: el nombre del destino lleva ahora a una dirección de esta máquina o de una "
        "red privada, adonde este servidor no envía (KIOSK_FORWARD_ALLOW_NETWORKS).",
    ),
    "fwd_why_address_never": (
        "Not sent: the destination's name now leads to a link-local or cloud metadata address, "
        "where forwarding never sends.",
        "No se envió: el nombre del destino lleva ahora a una dirección de enlace local o de "
        "metadatos de la nube, adonde el reenvío nunca envía.",
    ),
    "fwd_why_network": (
        "The network failed on the way to the destination.",
        "La red falló en el camino hacia el destino.",
    ),
    "fwd_why_unexpected": (
        "The forwarder failed while sending (its log says more).",
        "El reenviador falló al enviar (su registro dice más).",
    ),
    # Why signatures were skipped (never sent, on purpose).
    "fwd_skip_no_opt_in": ("{n} without opt-in", "{n} sin suscripción"),
    "fwd_skip_no_contact": ("{n} without email or phone", "{n} sin correo ni teléfono"),
    "fwd_skip_voided": ("{n} voided", "{n} anuladas"),
    "fwd_skip_voided_after_send_attempt": (
        "{n} voided during a send",
        "{n} anuladas durante un envío",
    ),
    "fwd_skip_voided_one": ("1 voided", "1 anulada"),
    "fwd_skip_voided_after_send_attempt_one": (
        "1 voided during a send",
        "1 anulada durante un envío",
    ),
    "fwd_skip_synthetic": ("{n} test data", "{n} datos de prueba"),
    "fwd_skip_unreadable": (
        "{n} the organization's key cannot open",
        "{n} que la clave de la organización no abre",
    ),
    "fwd_skip_signature_missing": ("{n} no longer stored", "{n} ya no guardadas"),
    "fwd_skip_signature_missing_one": ("1 no longer stored", "1 ya no guardada"),
    "fwd_skip_other": ("{n} other", "{n} por otro motivo"),
    # Dead letters, listed.
    "fwd_dead_h": ("Dead letters", "Firmas descartadas"),
    "fwd_dead_intro": (
        "Signatures given up for good, with why. Fix the cause, then press “Retry dead letters” "
        "on the destination's row: they go again at the forwarder's next pass.",
        "Firmas abandonadas definitivamente, con el motivo. Corrija la causa y pulse "
        "«Reintentar descartadas» en la fila del destino: se vuelven a enviar en la próxima "
        "pasada del reenviador.",
    ),
    "fwd_attempts": ("Attempts", "Intentos"),
    "fwd_why": ("Why", "Motivo"),
    "fwd_dead_more": (
        "and {n} more (kiosk-server forward status {name} --dead)",
        "y {n} más (kiosk-server forward status {name} --dead)",
    ),
    # A destination refused when added (kiosk.server.forwarding.destinations.DestinationError).
    "fwd_err_not_url": ("That is not a URL.", "Eso no es una URL."),
    "fwd_err_credential_chars": (
        "The API token or webhook secret holds a space or a control character: it could not be "
        "sent. Paste it again as it is.",
        "El token de la API o el secreto del webhook contiene un espacio o un carácter de "
        "control: no se podría enviar. Péguelo de nuevo tal cual.",
    ),
    "fwd_err_scheme": (
        "The URL must start with https://.",
        "La URL debe empezar por https://.",
    ),
    "fwd_err_no_host": ("The URL has no host name.", "La URL no tiene nombre de servidor."),
    "fwd_err_userinfo": (
        "The URL holds a user name or password: put the credential in “API token or webhook "
        "secret” instead (it is sealed there; a URL is not).",
        "La URL contiene un usuario o una contraseña: ponga la credencial en «Token de la API o "
        "secreto del webhook» (allí se sella; una URL no).",
    ),
    "fwd_err_plain_http": (
        "Plain HTTP to {host} would send signers' personal data unencrypted: use https://.",
        "HTTP sin cifrar hacia {host} enviaría los datos personales de los firmantes sin "
        "cifrar: use https://.",
    ),
    "fwd_err_address_never": (
        "{where}: a link-local or cloud metadata address. Forwarding never sends there.",
        "{where}: una dirección de enlace local o de metadatos de la nube. El reenvío nunca "
        "envía allí.",
    ),
    "fwd_err_address_internal": (
        "{where}: an address on this machine or a private network. This server sends there only "
        "if whoever runs it lists that network in KIOSK_FORWARD_ALLOW_NETWORKS.",
        "{where}: una dirección de esta máquina o de una red privada. Este servidor solo envía "
        "allí si quien lo administra incluye esa red en KIOSK_FORWARD_ALLOW_NETWORKS.",
    ),
    "fwd_err_bad_name": (
        "A destination's name is 1 to 64 lowercase letters, digits, “.”, “_” or “-”.",
        "El nombre de un destino tiene de 1 a 64 minúsculas, dígitos, «.», «_» o «-».",
    ),
    "fwd_err_an_unsubscribed": (
        "Action Network subscribes every person it receives: “sent as unsubscribed” would "
        "subscribe signers who did not opt in. Choose “not sent”.",
        "Action Network suscribe a toda persona que recibe: «se envían como no suscritos» "
        "suscribiría a firmantes que no lo pidieron. Elija «no se envían».",
    ),
    "fwd_err_whsec": (
        "A webhook secret starts with whsec_ (leave it empty to have one made).",
        "Un secreto de webhook empieza por whsec_ (déjelo vacío para que se genere uno).",
    ),
    "fwd_err_no_local": (
        "{campaign} has no local campaign {local}.",
        "{campaign} no tiene la campaña local {local}.",
    ),
    "fwd_err_name_taken": (
        "A destination named {name} exists already.",
        "Ya existe un destino llamado {name}.",
    ),
}


#: What a kiosk's reported sync error code means (``POST /api/v1/report``'s ``last_error``: the
#: kiosk's ``kiosk.sync.status.SyncErrorCode`` values; a test keeps the two lists equal).
KIOSK_ERRORS: dict[str, tuple[str, str]] = {
    "not_connected": ("not connected to a server", "no conectado a un servidor"),
    "offline": ("could not reach the server", "no pudo llegar al servidor"),
    "timeout": ("the server did not answer in time", "el servidor no respondió a tiempo"),
    "tls": ("the server's certificate was not trusted", "no confió en el certificado del servidor"),
    "unauthorized": (
        "refused by the server (revoked or unknown)",
        "rechazado por el servidor (revocado o desconocido)",
    ),
    "server_error": ("the server had an error", "el servidor tuvo un error"),
    "bad_response": (
        "an answer that was not this server's",
        "una respuesta que no era de este servidor",
    ),
    "refused": ("the server refused a request", "el servidor rechazó una solicitud"),
    "rate_limited": (
        "asked to wait (too many requests)",
        "se le pidió esperar (demasiadas solicitudes)",
    ),
    "bad_code": ("a wrong, used or expired code", "un código incorrecto, usado o vencido"),
    "insecure_url": ("an unencrypted address (http://)", "una dirección sin cifrar (http://)"),
    "bad_url": ("an invalid server address", "una dirección de servidor no válida"),
    "key_mismatch": (
        "a different organization key than the server's",
        "una clave de organización distinta de la del servidor",
    ),
    "local_error": (
        "could not read or write its own data (disk?)",
        "no pudo leer ni escribir sus propios datos (¿disco?)",
    ),
    "demo_kiosk": (
        "a demo kiosk, refused by a real server",
        "un quiosco de demostración, rechazado por un servidor real",
    ),
    "demo_server": (
        "a real kiosk, refused by a demo server",
        "un quiosco real, rechazado por un servidor de demostración",
    ),
}


def _code_in_words(table: dict[str, tuple[str, str]], lang: str, code: str) -> str:
    """``code``'s (English, Spanish) words in ``table``, in ``lang``; the code itself when the
    table does not know it (a newer kiosk's or server's)."""
    words = table.get(code)
    if words is None:
        return code
    return words[1] if lang == "es" else words[0]


def kiosk_error(lang: str, code: str) -> str:
    """What a kiosk's reported error code means, in ``lang`` (the code itself when unknown: a
    newer kiosk's)."""
    return _code_in_words(KIOSK_ERRORS, lang, code)


#: The server audit trail's actions (``server_audit`` entries), in words. The page shows the
#: code under the words, so that it can still be searched for in logs and the CLI's output.
AUDIT_ACTIONS: dict[str, tuple[str, str]] = {
    "campaign_published": ("Campaign published", "Campaña publicada"),
    "console_session_revoked": ("Console session ended", "Sesión de la consola cerrada"),
    "coordinator_added": ("Account added", "Cuenta creada"),
    "coordinator_revoked": ("Account revoked", "Cuenta revocada"),
    "coordinator_role_changed": ("Account's role changed", "Rol de una cuenta cambiado"),
    "coordinator_password_set": (
        "Account's password set by an admin",
        "Contraseña de una cuenta puesta por un administrador",
    ),
    "device_audit_key_refused": (
        "A kiosk's audit key refused",
        "Clave de auditoría de un quiosco rechazada",
    ),
    "device_audit_key_registered": (
        "A kiosk's audit key registered",
        "Clave de auditoría de un quiosco registrada",
    ),
    "device_renamed": ("Kiosk renamed", "Quiosco renombrado"),
    "device_revoked": ("Kiosk revoked", "Quiosco revocado"),
    "enrollment_code_made": ("Enrollment code made", "Código de inscripción creado"),
    "enrollment_code_cancelled": ("Enrollment code cancelled", "Código de inscripción anulado"),
    "export_csv": ("Contacts exported (CSV)", "Contactos exportados (CSV)"),
    "export_pdf": ("Signature sheets exported (PDF)", "Hojas de firmas exportadas (PDF)"),
    "export_refused": ("Export refused", "Exportación rechazada"),
    "foreign_records_refused": (
        "Signatures of another kiosk refused",
        "Firmas de otro quiosco rechazadas",
    ),
    "forward_destination_added": ("Forwarding destination added", "Destino de reenvío agregado"),
    "forward_destination_changed": (
        "Forwarding destination changed",
        "Destino de reenvío cambiado",
    ),
    "forward_destination_removed": (
        "Forwarding destination removed",
        "Destino de reenvío quitado",
    ),
    "forward_paused": ("Forwarding paused", "Reenvío en pausa"),
    "forward_resumed": ("Forwarding resumed", "Reenvío reanudado"),
    "forward_retry": (
        "Forwarding: signatures queued to send again",
        "Reenvío: firmas puestas de nuevo en cola",
    ),
    "forward_round": ("Signatures forwarded", "Firmas reenviadas"),
    "revoked_device_refused": (
        "A revoked kiosk was refused",
        "Se rechazó un quiosco revocado",
    ),
}


def audit_action(lang: str, code: str) -> str:
    """An audit action in words, in ``lang`` (the code itself when unknown: a newer server's)."""
    return _code_in_words(AUDIT_ACTIONS, lang, code)


_SHORT_MONTHS = {
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
    "es": ("ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic"),
}


def moment_text(lang: str, moment: datetime) -> str:
    """A moment in UTC as words of ``lang`` for a sentence ("Dec 6, 2026, 11:25 PM UTC",
    "6 dic 2026, 23:25 UTC"): what a ``<time>`` element cannot be, inside a translated text."""
    utc = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    month = _SHORT_MONTHS["es" if lang == "es" else "en"][utc.month - 1]
    if lang == "es":
        return f"{utc.day} {month} {utc.year}, {utc:%H:%M} UTC"
    hour = utc.hour % 12 or 12
    return f"{month} {utc.day}, {utc.year}, {hour}:{utc:%M} {'AM' if utc.hour < 12 else 'PM'} UTC"


def day_label(lang: str, day: date) -> str:
    """A day under a chart's bar, its month spelled ("Nov 6", "6 nov"): "11-06" read as the
    11th of June in Spanish."""
    month = _SHORT_MONTHS["es" if lang == "es" else "en"][day.month - 1]
    return f"{day.day} {month}" if lang == "es" else f"{month} {day.day}"


def translate(lang: str, key: str, **values: object) -> str:
    """The sentence ``key`` in ``lang`` (English for an unknown language), with ``{values}``.

    A count ``n`` of 1 picks the key's singular, ``key_one``, when it has one ("1 firma", never
    "1 firmas")."""
    if str(values.get("n", "")) == "1" and f"{key}_one" in MESSAGES:
        key = f"{key}_one"
    en, es = MESSAGES[key]
    text = es if lang == "es" else en
    return text.format(**values) if values else text


def pick_lang(query: str | None, cookie: str | None, accept: str | None) -> str:
    """The page language: an explicit choice, the remembered one, else the browser's."""
    for value in (query, cookie):
        if value in LANGS:
            return value
    for part in (accept or "").split(","):
        code = part.split(";")[0].strip().lower()[:2]
        if code in LANGS:
            return code
    return "en"


#: A campaign file's errors (:class:`kiosk.domain.campaign_format.CampaignFormatError`): each
#: English template, as the validator writes it, and its Spanish. A test checks that every
#: template the validator can write is here.
CAMPAIGN_FILE_ERRORS: dict[str, str] = {
    "cannot be read ({reason})": "no se puede leer ({reason})",
    "contains a control character (U+{code})": "contiene un carácter de control (U+{code})",
    "does not survive conversion to JSON unchanged": "no pasa a JSON sin cambios",
    "has {count} entries, at most {limit}": "tiene {count} entradas; como máximo {limit}",
    "is larger than {limit} bytes": "ocupa más de {limit} bytes",
    "is not UTF-8 (byte {offset})": "no está en UTF-8 (byte {offset})",
    "is not valid TOML: arrays or tables nested too deeply": (
        "no es TOML válido: listas o tablas anidadas demasiado hondo"
    ),
    "is not valid TOML: {reason}": "no es TOML válido (el analizador dice, en inglés: {reason})",
    "is not valid TOML at line {line}, column {column}: {reason}": (
        "no es TOML válido en la línea {line}, columna {column} "
        "(el analizador dice, en inglés: {reason})"
    ),
    "is not valid TOML at the end of the file: {reason}": (
        "no es TOML válido al final del archivo (el analizador dice, en inglés: {reason})"
    ),
    "is required": "es obligatorio",
    "is required (English text)": "es obligatorio (el texto en inglés)",
    'is required when level = "county"': 'es obligatorio cuando level = "county"',
    "is too large": "es demasiado grande",
    "is too long ({length} characters, at most {limit})": (
        "es demasiado largo ({length} caracteres; como máximo {limit})"
    ),
    'must be "city" or "county"': 'debe ser "city" o "county"',
    'must be "petition" or "letter"': 'debe ser "petition" o "letter"',
    'must be "required", "optional" or "hidden"': 'debe ser "required", "optional" o "hidden"',
    'must be "{format}"': 'debe ser "{format}"',
    "must be 3-64 characters of a-z, 0-9 and '-', starting alnum": (
        "debe tener de 3 a 64 caracteres entre a-z, 0-9 y '-', y empezar por una letra o una cifra"
    ),
    "must be a date or date-time (e.g. 2017-01-31T15:10:00)": (
        "debe ser una fecha o una fecha con hora (p. ej. 2017-01-31T15:10:00)"
    ),
    "must be a five-digit ZIP string": "debe ser un código postal (ZIP) de cinco cifras, entre comillas",
    "must be a string, not {type}": "debe ser un texto, no {type}",
    "must be a table, not {type}": "debe ser una tabla, no {type}",
    "must be an array of tables ([[history]])": "debe ser una lista de tablas ([[history]])",
    "must be an array of tables ([[local]])": "debe ser una lista de tablas ([[local]])",
    "must be an array of tables ([[updates]])": "debe ser una lista de tablas ([[updates]])",
    "must be an array, not {type}": "debe ser una lista, no {type}",
    "must be an integer, not {type}": "debe ser un número entero, no {type}",
    "must be at least {minimum}": "debe ser como mínimo {minimum}",
    "must not be empty": "no puede estar vacío",
    "unknown key (allowed: {allowed})": "clave desconocida (se admiten: {allowed})",
    "{slug} is in two of these files": "{slug} está en dos de estos archivos",
    "{slug} is used by another local campaign": "{slug} ya lo usa otra campaña local",
    "{state} is not a two-letter USPS state code": (
        "{state} no es un código de estado de dos letras del USPS"
    ),
    "{version} is newer than this kiosk reads ({newest})": (
        "{version} es más reciente que lo que este programa lee ({newest})"
    ),
}

#: The kinds of value a campaign file's error names (``{type}``), in Spanish.
_VALUE_KINDS_ES = {
    "a boolean": "un valor lógico (true/false)",
    "an integer": "un número entero",
    "a number": "un número",
    "a string": "un texto",
    "an array": "una lista",
    "a table": "una tabla",
}


def campaign_file_error(lang: str, exc: CampaignFormatError) -> str:
    """One problem of a campaign file in ``lang``: the file, the field, and what is wrong (the
    file's other problems, ``exc.more``, are said each by a call of their own).

    A message with no Spanish (a newer validator's) stays in English rather than be lost."""
    if lang != "es" or exc.template not in CAMPAIGN_FILE_ERRORS:
        return f"{exc.where}: {exc.message}"
    values = dict(exc.values)
    for key in ("count", "length", "limit"):  # 1,000,000 bytes, as the pages write numbers
        if values.get(key, "").isdigit():
            values[key] = f"{int(values[key]):,}"
    if "type" in values:
        values["type"] = _VALUE_KINDS_ES.get(values["type"], values["type"])
    return f"{exc.where}: {CAMPAIGN_FILE_ERRORS[exc.template].format(**values)}"


def changes_said(lang: str, stored: Any, new: Campaign) -> list[str] | None:
    """What publishing ``new`` over the ``stored`` document (None: never published) changes,
    sentence by sentence in ``lang``; None when the stored document can no longer be read to
    compare (a file of an older format)."""
    old = None
    if stored is not None:
        try:
            old = parse_campaign(stored, new.slug)
        except CampaignFormatError:
            return None
    said = []
    for change in campaign_changes(old, new):
        values = dict(change.values)
        if change.code == "kind":
            values = {k: translate(lang, f"kind_{v}") for k, v in values.items()}
        text = translate(lang, f"chg_{change.code}", **values)
        if values.get("more", "0") != "0":
            text += " " + translate(lang, "chg_more", n=values["more"])
        said.append(text)
    return said
