<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es" sourcelanguage="en_US">
<context>
    <name>AccessPanel</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/AccessPanel.qml" line="+56"/>
        <location line="+21"/>
        <source>Accessibility</source>
        <translation>Accesibilidad</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Done</source>
        <translation>Listo</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Read the screen aloud</source>
        <translation>Leer la pantalla en voz alta</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Headphones are recommended. On a keyboard, F2 turns it on or off.</source>
        <translation>Se recomienda usar audífonos. En un teclado, F2 activa o desactiva la lectura.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Also read back what I type (my name, ZIP...)</source>
        <translation>Leer también lo que escribo (mi nombre, código postal...)</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Anyone near you may hear it. Off unless you turn it on.</source>
        <translation>Cualquier persona cerca puede oírlo. Está desactivado a menos que usted lo active.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Text size</source>
        <translation>Tamaño del texto</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Text size %1 percent</source>
        <translation>Tamaño del texto %1 por ciento</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>High contrast</source>
        <translation>Alto contraste</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>More time on every screen</source>
        <translation>Más tiempo en cada pantalla</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The screen waits three times longer before it asks if you are still there.</source>
        <translation>La pantalla espera tres veces más antes de preguntar si sigue ahí.</translation>
    </message>
</context>
<context>
    <name>AttractPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/AttractPage.qml" line="+16"/>
        <source>%1 of %2 signatures.</source>
        <translation>%1 de %2 firmas.</translation>
    </message>
    <message>
        <location line="+70"/>
        <source>Sign</source>
        <translation>Firmar</translation>
    </message>
    <message>
        <location line="-68"/>
        <location line="+69"/>
        <source>Sign the letter</source>
        <translation>Firmar la carta</translation>
    </message>
    <message>
        <location line="-70"/>
        <source>To sign, press Tab until you hear %1, then press Enter.</source>
        <translation>Para firmar, presione Tab hasta oír «%1» y luego presione Enter.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+69"/>
        <source>Sign the petition</source>
        <translation>Firmar la petición</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Reading aloud: tap to stop</source>
        <translation>Leyendo en voz alta: toque para detener</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Read it to me aloud</source>
        <translation>Léamelo en voz alta</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Headphones are recommended: plug them in under the screen. On a keyboard, press F2.</source>
        <translation>Se recomienda usar audífonos: conéctelos debajo de la pantalla. En un teclado, presione F2.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Headphones recommended for reading aloud.</source>
        <translation>Se recomiendan audífonos para la lectura en voz alta.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Read the letter and add your name. It takes about a minute.</source>
        <translation>Lea la carta y agregue su nombre. Toma aproximadamente un minuto.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Read the petition and add your name. It takes about a minute.</source>
        <translation>Lea la petición y agregue su nombre. Toma aproximadamente un minuto.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>No campaign is set up on this kiosk yet. Please ask a volunteer.</source>
        <translation>Todavía no hay ninguna campaña en este quiosco. Por favor, pregúntele a un voluntario.</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Your details are encrypted on this tablet as soon as you sign. Only %1 can read them.</source>
        <translation>Sus datos se cifran en esta tableta en cuanto usted firma. Solo %1 puede leerlos.</translation>
    </message>
</context>
<context>
    <name>DuplicatePage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/DuplicatePage.qml" line="+11"/>
        <location line="+41"/>
        <source>You have already signed</source>
        <translation>Usted ya firmó</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Thank you! Your name is already on this letter from this kiosk, so it counts once.</source>
        <translation>¡Gracias! Su nombre ya está en esta carta desde este quiosco, así que cuenta una sola vez.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Thank you! Your signature for this petition is already saved on this kiosk, so it counts once.</source>
        <translation>¡Gracias! Su firma para esta petición ya está guardada en este quiosco, así que cuenta una sola vez.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Done</source>
        <translation>Listo</translation>
    </message>
</context>
<context>
    <name>ExportsSection</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/ExportsSection.qml" line="+19"/>
        <source>Exports</source>
        <translation>Exportaciones</translation>
    </message>
    <message>
        <location line="+96"/>
        <source>Saved to %1: %2. On this tablet it is deleted after a day, or by “Delete now” (Privacy): copy it to a USB stick, or print it.</source>
        <translation>Guardado en %1: %2. En esta tableta se borra al cabo de un día, o con «Borrar ahora» (Privacidad): cópielo a una memoria USB o imprímalo.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saved to %1: %2</source>
        <translation>Guardado en %1: %2</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Saving…</source>
        <translation>Guardando…</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Making the packet…</source>
        <translation>Haciendo el paquete…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Sending to the printer…</source>
        <translation>Enviando a la impresora…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Waiting in the printer&apos;s queue…</source>
        <translation>Esperando en la cola de la impresora…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing…</source>
        <translation>Imprimiendo…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Cancelling…</source>
        <translation>Cancelando…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printed.</source>
        <translation>Impreso.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing cancelled.</source>
        <translation>Impresión cancelada.</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Signatures cannot be opened on this kiosk: the coordinator&apos;s key is not here. Counts still work.</source>
        <translation>Las firmas no se pueden abrir en este quiosco: la clave de la coordinación no está aquí. Los conteos sí funcionan.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The coordinator&apos;s key is open until you lock it or leave staff mode.</source>
        <translation>La clave de la coordinación queda abierta hasta que la bloquee o salga del modo de personal.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Names and signatures are encrypted. Making an export needs the coordinator&apos;s passphrase.</source>
        <translation>Los nombres y las firmas están cifrados. Para exportar se necesita la frase de contraseña de la coordinación.</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Coordinator passphrase</source>
        <translation>Frase de contraseña de la coordinación</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Opening…</source>
        <translation>Abriendo…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Unlock</source>
        <translation>Desbloquear</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Lock</source>
        <translation>Bloquear</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>What to export</source>
        <translation>Qué exportar</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Campaign</source>
        <translation>Campaña</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Local campaigns</source>
        <translation>Campañas locales</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>One packet per local campaign</source>
        <translation>Un paquete por campaña local</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>All in one</source>
        <translation>Todo en uno</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Signed</source>
        <translation>Firmadas</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Today</source>
        <translation>Hoy</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 7 days</source>
        <translation>Últimos 7 días</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Last 30 days</source>
        <translation>Últimos 30 días</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Any time</source>
        <translation>Cualquier fecha</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Event</source>
        <translation>Evento</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>All events</source>
        <translation>Todos los eventos</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Make</source>
        <translation>Hacer</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Signature packet (PDF)</source>
        <translation>Paquete de firmas (PDF)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Contact list (CSV)</source>
        <translation>Lista de contactos (CSV)</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Paper</source>
        <translation>Papel</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Letter</source>
        <translation>Carta</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>A4</source>
        <translation>A4</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Signatures per sheet</source>
        <translation>Firmas por hoja</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Only signers who opted in to updates</source>
        <translation>Solo quienes aceptaron recibir noticias</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>For Excel (Windows): letters such as á and ñ show correctly</source>
        <translation>Para Excel (Windows): las letras como á y ñ se ven correctamente</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Include synthetic test signatures</source>
        <translation>Incluir firmas de prueba sintéticas</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Matching signatures: %1</source>
        <translation>Firmas que coinciden: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>(before leaving out those who did not opt in)</source>
        <translation>(antes de dejar fuera a quienes no aceptaron recibir noticias)</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Make packet</source>
        <translation>Hacer el paquete</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Make contact list</source>
        <translation>Hacer la lista de contactos</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Drawing pages: %1 of %2</source>
        <translation>Dibujando páginas: %1 de %2</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Opening signatures: %1 of %2</source>
        <translation>Abriendo firmas: %1 de %2</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Packet ready. Signatures: %1 · Pages: %2 · Files: %3</source>
        <translation>Paquete listo. Firmas: %1 · Páginas: %2 · Archivos: %3</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Contact list ready. Rows: %1 · Opted in to updates: %2</source>
        <translation>Lista de contactos lista. Filas: %1 · Aceptaron recibir noticias: %2</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>%n signature(s) left out: their personal data was deleted after sync (export them from the server).</source>
        <translation>
            <numerusform>%n firma quedó fuera: sus datos personales se borraron después de sincronizar (expórtela desde el servidor).</numerusform>
            <numerusform>%n firmas quedaron fuera: sus datos personales se borraron después de sincronizar (expórtelas desde el servidor).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n signature(s) could not be opened with this key.</source>
        <translation>
            <numerusform>%n firma no se pudo abrir con esta clave.</numerusform>
            <numerusform>%n firmas no se pudieron abrir con esta clave.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+38"/>
        <source>Preview of page %1 of %2</source>
        <translation>Vista previa de la página %1 de %2</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Previous page</source>
        <translation>Página anterior</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Page %1 of %2</source>
        <translation>Página %1 de %2</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Next page</source>
        <translation>Página siguiente</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Files</source>
        <translation>Archivos</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>Save to</source>
        <translation>Guardar en</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>USB stick %1</source>
        <translation>Memoria USB %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Exports folder</source>
        <translation>Carpeta de exportaciones</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Look for USB sticks</source>
        <translation>Buscar memorias USB</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Save</source>
        <translation>Guardar</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>The contact list has names, email addresses, phone numbers and the consent each signer gave. Keep it safe and delete it when the follow-up is done.</source>
        <translation>La lista de contactos tiene nombres, correos electrónicos, teléfonos y el consentimiento que dio cada firmante. Guárdela en un lugar seguro y bórrela cuando termine el seguimiento.</translation>
    </message>
    <message>
        <location line="+10"/>
        <location line="+28"/>
        <source>Print</source>
        <translation>Imprimir</translation>
    </message>
    <message>
        <location line="-10"/>
        <source>%1 (default)</source>
        <translation>%1 (predeterminada)</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Cancel printing</source>
        <translation>Cancelar la impresión</translation>
    </message>
</context>
<context>
    <name>FormPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/FormPage.qml" line="+12"/>
        <source>Your details</source>
        <translation>Sus datos</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type your first name, your last name and your ZIP code; the fields marked optional can stay empty. Press Tab to go to the next field and Enter on Next when you are done.</source>
        <translation>Escriba su nombre, su apellido y su código postal; los campos marcados como opcionales pueden quedar vacíos. Presione Tab para pasar al siguiente campo y Enter en Siguiente cuando termine.</translation>
    </message>
    <message>
        <location line="+97"/>
        <source>Add your name</source>
        <translation>Agregue su nombre</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Please use your own name. Fields marked (optional) can stay empty.</source>
        <translation>Por favor, use su propio nombre. Los campos marcados (opcional) pueden quedar vacíos.</translation>
    </message>
    <message>
        <location line="+18"/>
        <source>First name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Last name</source>
        <translation>Apellido</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>ZIP code</source>
        <translation>Código postal (ZIP)</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Phone</source>
        <translation>Teléfono</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Email</source>
        <translation>Correo electrónico</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Street address</source>
        <translation>Dirección</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>City</source>
        <translation>Ciudad</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>State</source>
        <translation>Estado</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Comment</source>
        <translation>Comentario</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Next</source>
        <translation>Siguiente</translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/IdleOverlay.qml" line="+88"/>
        <source>Are you still there?</source>
        <translation>¿Sigue ahí?</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>The options you chose (language, text size, reading aloud) will go back to normal for the next person in %n second(s).</source>
        <translation>
            <numerusform>Las opciones que eligió (idioma, tamaño del texto, lectura en voz alta) volverán a lo normal para la próxima persona en %n segundo.</numerusform>
            <numerusform>Las opciones que eligió (idioma, tamaño del texto, lectura en voz alta) volverán a lo normal para la próxima persona en %n segundos.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>For your privacy, this screen will be cleared in %n second(s).</source>
        <translation>
            <numerusform>Para proteger su privacidad, esta pantalla se borrará en %n segundo.</numerusform>
            <numerusform>Para proteger su privacidad, esta pantalla se borrará en %n segundos.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Start over</source>
        <translation>Empezar de nuevo</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>More time</source>
        <translation>Más tiempo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>This screen waits three times longer</source>
        <translation>Esta pantalla espera tres veces más</translation>
    </message>
    <message>
        <location line="-60"/>
        <location line="+67"/>
        <source>I&apos;m still here</source>
        <translation>Sigo aquí</translation>
    </message>
</context>
<context>
    <name>KField</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/KField.qml" line="+64"/>
        <source>(optional)</source>
        <translation>(opcional)</translation>
    </message>
</context>
<context>
    <name>KScroll</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/KScroll.qml" line="+19"/>
        <source>The text of this screen</source>
        <translation>El texto de esta pantalla</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Use the arrow keys, Page Up and Page Down to scroll it.</source>
        <translation>Use las teclas de flecha, Re Pág y Av Pág para desplazarlo.</translation>
    </message>
</context>
<context>
    <name>LanguageSwitch</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/LanguageSwitch.qml" line="+18"/>
        <source>Language</source>
        <translation>Idioma</translation>
    </message>
</context>
<context>
    <name>LocalPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/LocalPage.qml" line="+75"/>
        <source>Choose your local campaign</source>
        <translation>Elija su campaña local</translation>
    </message>
    <message>
        <location line="-62"/>
        <location line="+62"/>
        <source>Your local campaign</source>
        <translation>Su campaña local</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Your ZIP code is in %1. You will sign the campaign for your area:</source>
        <translation>Su código postal está en %1. Usted firmará la campaña de su zona:</translation>
    </message>
    <message>
        <location line="-3"/>
        <location line="+4"/>
        <location line="+2"/>
        <source>You chose this campaign:</source>
        <translation>Usted eligió esta campaña:</translation>
    </message>
    <message>
        <location line="-9"/>
        <source>There is a letter to your %1, %2: sign that one instead?</source>
        <translation>Hay una carta dirigida a su %1, %2. ¿Quiere firmar esa en su lugar?</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>There is a petition to your %1, %2: sign that one instead?</source>
        <translation>Hay una petición dirigida a su %1, %2. ¿Quiere firmar esa en su lugar?</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>There is no local campaign for your ZIP code yet. You will sign the main campaign:</source>
        <translation>Todavía no hay una campaña local para su código postal. Usted firmará la campaña principal:</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sign that one</source>
        <translation>Firmar esa</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Or sign the main campaign:</source>
        <translation>O firme la campaña principal:</translation>
    </message>
    <message>
        <location line="+35"/>
        <source>Started by %1</source>
        <translation>Iniciada por %1</translation>
    </message>
    <message>
        <location line="+43"/>
        <source>Your current choice</source>
        <translation>Su elección actual</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Change</source>
        <translation>Cambiar</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Yes, continue</source>
        <translation>Sí, continuar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Signs the main campaign, not the one offered above</source>
        <translation>Firma la campaña principal, no la que se ofrece arriba</translation>
    </message>
</context>
<context>
    <name>Main</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/Main.qml" line="+19"/>
        <source>Petition Kiosk</source>
        <translation>Quiosco de peticiones</translation>
    </message>
    <message>
        <location line="+165"/>
        <source>Signature pad. Sign with your finger.</source>
        <translation>Área de firma. Firme con el dedo.</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Staff mode (hold for three seconds)</source>
        <translation>Modo de personal (mantenga presionado tres segundos)</translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message>
        <location filename="../../kiosk/ui/messages.py" line="+45"/>
        <source>Please enter your first name.</source>
        <extracomment>A UI-only check: the opt-in needs an email or a phone number to be useful. A UI-only message: the store refused or failed to save (disk full, damaged file).</extracomment>
        <translation>Por favor, escriba su nombre.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Please enter your last name.</source>
        <translation>Por favor, escriba su apellido.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Please enter your ZIP code.</source>
        <translation>Por favor, escriba su código postal.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Please enter your email address.</source>
        <translation>Por favor, escriba su correo electrónico.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Please enter your phone number.</source>
        <translation>Por favor, escriba su número de teléfono.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Please give a reason.</source>
        <translation>Por favor, indique un motivo.</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Please fill this in.</source>
        <translation>Por favor, complete este campo.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This is too long.</source>
        <translation>Es demasiado largo.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This contains characters that are not allowed.</source>
        <translation>Contiene caracteres que no están permitidos.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Please use letters only (accents, spaces, hyphens and apostrophes are fine).</source>
        <translation>Por favor, use solo letras (se permiten acentos, espacios, guiones y apóstrofos).</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>This email address does not look right (example: name@example.com).</source>
        <translation>Este correo electrónico no parece correcto (ejemplo: nombre@ejemplo.com).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This phone number does not look right (example: 612 555 0134).</source>
        <translation>Este número de teléfono no parece correcto (ejemplo: 612 555 0134).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>A ZIP code has 5 digits (example: 55802).</source>
        <translation>El código postal tiene 5 dígitos (ejemplo: 55802).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use the two-letter state code (example: MN).</source>
        <translation>Use la abreviatura de dos letras del estado (ejemplo: MN).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This ZIP code is not in that state.</source>
        <translation>Este código postal no corresponde a ese estado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Please sign with your finger in the box.</source>
        <translation>Por favor, firme con el dedo dentro del recuadro.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your signature is too short. Please sign your name.</source>
        <translation>Su firma es demasiado corta. Por favor, firme con su nombre.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Please type your full name: your first and last name as in the form.</source>
        <translation>Escriba su nombre completo: su nombre y apellido como en el formulario.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Please confirm that the typed name is your signature.</source>
        <translation>Confirme que el nombre escrito es su firma.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The signature could not be read. Please clear it and sign again.</source>
        <translation>No se pudo leer la firma. Por favor, bórrela y vuelva a firmar.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This campaign is no longer on this kiosk. Please ask a volunteer.</source>
        <translation>Esta campaña ya no está en este quiosco. Por favor, pregúntele a un voluntario.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This local campaign is no longer on this kiosk. Please choose another.</source>
        <translation>Esta campaña local ya no está en este quiosco. Por favor, elija otra.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>You have already signed this petition at this kiosk.</source>
        <translation>Usted ya firmó esta petición en este quiosco.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This entry no longer exists.</source>
        <translation>Este registro ya no existe.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This entry is already void.</source>
        <translation>Este registro ya está anulado.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Add an email address or a phone number to get updates.</source>
        <translation>Agregue un correo electrónico o un número de teléfono para recibir novedades.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Your signature could not be saved. Please ask a volunteer for help.</source>
        <translation>No se pudo guardar su firma. Por favor, pídale ayuda a un voluntario.</translation>
    </message>
    <message>
        <location line="+3"/>
        <location line="+352"/>
        <source>Something went wrong. Please try again.</source>
        <extracomment>The codes each kind words (besides its fallback), for tests and documentation.</extracomment>
        <translation>Algo salió mal. Por favor, inténtelo de nuevo.</translation>
    </message>
    <message>
        <location line="-338"/>
        <source>The server had an error. Try again in a few minutes.</source>
        <translation>El servidor tuvo un error. Vuelva a intentarlo en unos minutos.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server is busy. Try again in a minute.</source>
        <translation>El servidor está ocupado. Vuelva a intentarlo en un minuto.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not connected to a server.</source>
        <translation>No está conectado a un servidor.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server cannot be reached (no network?).</source>
        <translation>No se puede conectar con el servidor (¿no hay red?).</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server took too long to answer.</source>
        <translation>El servidor tardó demasiado en responder.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server&apos;s security certificate was refused.</source>
        <translation>Se rechazó el certificado de seguridad del servidor.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server no longer accepts this kiosk. Connect it again.</source>
        <translation>El servidor ya no acepta este quiosco. Vuelva a conectarlo.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server had an error. It will be retried.</source>
        <translation>El servidor tuvo un error. Se volverá a intentar.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This address does not answer like a Petition Kiosk server. Check the address.</source>
        <translation>Esta dirección no responde como un servidor de Petition Kiosk. Revise la dirección.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>The server refused the request.</source>
        <translation>El servidor rechazó la solicitud.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The server is busy. It will be retried later.</source>
        <translation>El servidor está ocupado. Se volverá a intentar más tarde.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This enrollment code is wrong, used or expired.</source>
        <translation>Este código de inscripción es incorrecto, ya se usó o venció.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This address is not encrypted (http://). Use an https:// address, or, for a server on your local network, turn on “Allow unencrypted connection”.</source>
        <translation>Esta dirección no está cifrada (http://). Use una dirección https:// o, para un servidor en su red local, active «Permitir conexión sin cifrar».</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This server address is not valid.</source>
        <translation>Esta dirección de servidor no es válida.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>This server uses a different organization key. Not connected.</source>
        <translation>Este servidor usa otra clave de organización. No se conectó.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This kiosk could not read or write its sync data. Nothing was lost.</source>
        <translation>Este quiosco no pudo leer ni escribir sus datos de sincronización. No se perdió nada.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>This is a demo kiosk and the server is not in demo mode. Use the kiosk without demo mode, or a demo server.</source>
        <translation>Este es un quiosco de demostración y el servidor no está en modo de demostración. Use el quiosco sin el modo de demostración, o un servidor de demostración.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>This server is in demo mode and takes only demo kiosks. Connect to your organization&apos;s server.</source>
        <translation>Este servidor está en modo de demostración y solo acepta quioscos de demostración. Conéctese al servidor de su organización.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Sync failed.</source>
        <translation>La sincronización falló.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Staff mode opened</source>
        <translation>Modo de personal abierto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff mode closed</source>
        <translation>Modo de personal cerrado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Staff PIN set</source>
        <translation>PIN del personal establecido</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong staff PIN</source>
        <translation>PIN del personal incorrecto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>PIN entry locked</source>
        <translation>Entrada de PIN bloqueada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Entry voided</source>
        <translation>Registro anulado</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signatures exported</source>
        <translation>Firmas exportadas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Signatures printed</source>
        <translation>Firmas impresas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Names unlocked with the passphrase</source>
        <translation>Nombres desbloqueados con la frase de contraseña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Wrong coordinator passphrase</source>
        <translation>Frase de contraseña de la coordinación incorrecta</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Names locked again</source>
        <translation>Nombres bloqueados de nuevo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Personal data deleted</source>
        <translation>Datos personales borrados</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Setting changed</source>
        <translation>Configuración cambiada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connected to a server</source>
        <translation>Conectado a un servidor</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Organization key created</source>
        <translation>Clave de la organización creada</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Typed signature witnessed by a volunteer</source>
        <translation>Firma escrita con testigo de un voluntario</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>As soon as the server has it</source>
        <translation>En cuanto el servidor la tenga</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>After %n day(s)</source>
        <translation>
            <numerusform>Después de %n día</numerusform>
            <numerusform>Después de %n días</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Keep until exported</source>
        <translation>Guardar hasta exportar</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Personal data: %1</source>
        <translation>Datos personales: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Campaign shown: %1</source>
        <translation>Campaña mostrada: %1</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Local campaign: %1</source>
        <translation>Campaña local: %1</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Local campaign: by ZIP code</source>
        <translation>Campaña local: por código postal</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Event started or changed</source>
        <translation>Evento iniciado o cambiado</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Event ended</source>
        <translation>Evento terminado</translation>
    </message>
    <message numerus="yes">
        <location line="+19"/>
        <location line="+12"/>
        <source>%n signature(s)</source>
        <translation>
            <numerusform>%n firma</numerusform>
            <numerusform>%n firmas</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="-7"/>
        <source>for %n second(s)</source>
        <translation>
            <numerusform>durante %n segundo</numerusform>
            <numerusform>durante %n segundos</numerusform>
        </translation>
    </message>
    <message>
        <location line="+12"/>
        <source>unencrypted connection allowed</source>
        <translation>conexión sin cifrar permitida</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>to witness a typed signature</source>
        <translation>para ser testigo de una firma escrita</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>from the command line</source>
        <translation>desde la línea de comandos</translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>Intact: %n entries</source>
        <translation>
            <numerusform>Intacto: %n entrada</numerusform>
            <numerusform>Intacto: %n entradas</numerusform>
        </translation>
    </message>
    <message>
        <location line="+3"/>
        <source>Warning: the audit trail was tampered with. Entry %1 was changed after it was written.</source>
        <translation>Atención: el registro de auditoría fue alterado. La entrada %1 se cambió después de escribirse.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Warning: the audit trail was tampered with. An entry before entry %1 was removed.</source>
        <translation>Atención: el registro de auditoría fue alterado. Se eliminó una entrada anterior a la entrada %1.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Warning: the audit trail was tampered with. Entry %1 does not follow the entry before it.</source>
        <translation>Atención: el registro de auditoría fue alterado. La entrada %1 no sigue a la entrada anterior.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Warning: the audit trail was tampered with at entry %1.</source>
        <translation>Atención: el registro de auditoría fue alterado en la entrada %1.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Not saved: the USB stick or disk is full. Nothing was lost: free some space or choose another place.</source>
        <translation>No se guardó: la memoria USB o el disco está lleno. No se perdió nada: libere espacio o elija otro lugar.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not saved: this place cannot be written to (it is read-only or locked). Nothing was lost: choose another place.</source>
        <translation>No se guardó: no se puede escribir en este lugar (es de solo lectura o está bloqueado). No se perdió nada: elija otro lugar.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Not saved: the USB stick is not there any more. Nothing was lost: plug it in again, look for USB sticks and save again.</source>
        <translation>No se guardó: la memoria USB ya no está. No se perdió nada: conéctela de nuevo, busque las memorias USB y vuelva a guardar.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Not saved: the file could not be written. Nothing was lost: try another place.</source>
        <translation>No se guardó: no se pudo escribir el archivo. No se perdió nada: pruebe otro lugar.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Printing is not set up on this kiosk (CUPS is not installed).</source>
        <translation>La impresión no está configurada en este quiosco (CUPS no está instalado).</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>The printing service (CUPS) is not running.</source>
        <translation>El servicio de impresión (CUPS) no está funcionando.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No printer is set up on this kiosk.</source>
        <translation>No hay ninguna impresora configurada en este quiosco.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>That printer is not there any more. Choose another one.</source>
        <translation>Esa impresora ya no está. Elija otra.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The printer did not accept the job. Check that it is switched on and not paused.</source>
        <translation>La impresora no aceptó el trabajo. Revise que esté encendida y no esté en pausa.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Too late to cancel: the printer already has it.</source>
        <translation>Demasiado tarde para cancelar: la impresora ya lo tiene.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The packet could not be made.</source>
        <translation>No se pudo hacer el paquete.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Printing failed.</source>
        <translation>La impresión falló.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Cancelled: nothing was made.</source>
        <translation>Cancelado: no se hizo nada.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Exports need the coordinator&apos;s passphrase first.</source>
        <translation>Para exportar, primero se necesita la frase de contraseña de la coordinación.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>No signature matches: nothing was made.</source>
        <translation>Ninguna firma coincide: no se hizo nada.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>The export could not be made.</source>
        <translation>No se pudo hacer la exportación.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Wrong passphrase.</source>
        <translation>Frase de contraseña incorrecta.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Please name the event.</source>
        <translation>Por favor, escriba el nombre del evento.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>A PIN has 4 to 12 digits.</source>
        <translation>El PIN tiene de 4 a 12 dígitos.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The two PINs are not the same.</source>
        <translation>Los dos PIN no son iguales.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Use at least 8 characters.</source>
        <translation>Use al menos 8 caracteres.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>The two passphrases are not the same.</source>
        <translation>Las dos frases de contraseña no son iguales.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Set-up failed. Please try again.</source>
        <translation>La configuración falló. Por favor, inténtelo de nuevo.</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Too many wrong tries. Try again in %1.</source>
        <translation>Demasiados intentos incorrectos. Vuelva a intentarlo en %1.</translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>Wrong PIN. %n tries left.</source>
        <translation>
            <numerusform>PIN incorrecto. Queda %n intento.</numerusform>
            <numerusform>PIN incorrecto. Quedan %n intentos.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PadPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/PadPage.qml" line="+26"/>
        <source>Sign with your finger</source>
        <translation>Firme con el dedo</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Type your name to sign</source>
        <translation>Escriba su nombre para firmar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>You are signing as %1, ZIP %2.</source>
        <translation>Usted firma como %1, código postal %2.</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>Type your full name in the signature field, confirm that it is your signature, then choose Submit my signature. A volunteer may witness it with the staff PIN.</source>
        <translation>Escriba su nombre completo en el campo de la firma, confirme que es su firma y luego elija Enviar mi firma. Un voluntario puede ser testigo con el PIN del personal.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Draw your signature with your finger in the signature area. If you cannot, press Tab until you hear I can&apos;t sign with my finger, then press Enter to type your name instead.</source>
        <translation>Dibuje su firma con el dedo en el área de firma. Si no puede, presione Tab hasta oír «No puedo firmar con el dedo» y luego presione Enter para escribir su nombre en su lugar.</translation>
    </message>
    <message>
        <location line="+119"/>
        <source>%1, ZIP %2 · %3</source>
        <translation>%1, código postal %2 · %3</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Edit my details</source>
        <translation>Corregir mis datos</translation>
    </message>
    <message>
        <location line="+37"/>
        <source>Sign here</source>
        <translation>Firme aquí</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Your full name, as your signature</source>
        <translation>Su nombre completo, como su firma</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>I confirm that this typed name is my signature.</source>
        <translation>Confirmo que este nombre escrito es mi firma.</translation>
    </message>
    <message>
        <location line="+38"/>
        <location line="+5"/>
        <location line="+1"/>
        <source>Staff PIN</source>
        <translation>PIN del personal</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Volunteer: witness this typed signature with the staff PIN (optional)</source>
        <translation>Voluntario: sea testigo de esta firma escrita con el PIN del personal (opcional)</translation>
    </message>
    <message>
        <location line="+26"/>
        <source>Witness (volunteer)</source>
        <translation>Ser testigo (voluntario)</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>✓ Witnessed by a volunteer</source>
        <translation>✓ Con testigo de un voluntario</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>! Wrong PIN</source>
        <translation>! PIN incorrecto</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>! Too many wrong PINs: try again later</source>
        <translation>! Demasiados PIN incorrectos: intente más tarde</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Checking…</source>
        <translation>Verificando…</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Sign with my finger instead</source>
        <translation>Mejor firmar con el dedo</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>I can&apos;t sign with my finger</source>
        <translation>No puedo firmar con el dedo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Type your full name as your signature instead</source>
        <translation>Escribir su nombre completo como firma en su lugar</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Clear</source>
        <translation>Borrar</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Keep going: sign your full name</source>
        <translation>Siga: firme con su nombre completo</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Saving…</source>
        <translation>Guardando…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Submit my signature</source>
        <translation>Enviar mi firma</translation>
    </message>
</context>
<context>
    <name>PetitionPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/PetitionPage.qml" line="+85"/>
        <source>The letter you are signing</source>
        <translation>La carta que usted firma</translation>
    </message>
    <message>
        <location line="+30"/>
        <source>About this letter</source>
        <translation>Sobre esta carta</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Why is this important?</source>
        <translation>¿Por qué es importante?</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Updates</source>
        <translation>Novedades</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Update, %1</source>
        <translation>Novedad, %1</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Back</source>
        <translation>Atrás</translation>
    </message>
    <message>
        <location line="-154"/>
        <location line="+159"/>
        <source>Sign this letter</source>
        <translation>Firmar esta carta</translation>
    </message>
    <message>
        <location line="-163"/>
        <source>Letter</source>
        <translation>Carta</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Petition</source>
        <translation>Petición</translation>
    </message>
    <message>
        <location line="+3"/>
        <source>To sign, press Tab until you hear %1, then press Enter.</source>
        <translation>Para firmar, presione Tab hasta oír «%1» y luego presione Enter.</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+159"/>
        <source>Sign this petition</source>
        <translation>Firmar esta petición</translation>
    </message>
</context>
<context>
    <name>PinPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/PinPage.qml" line="+17"/>
        <source>%1 min %2 s</source>
        <translation>%1 min %2 s</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Staff only</source>
        <translation>Solo personal</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Staff PIN</source>
        <translation>PIN del personal</translation>
    </message>
    <message>
        <location line="+21"/>
        <source>Checking…</source>
        <translation>Verificando…</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Unlock</source>
        <translation>Desbloquear</translation>
    </message>
</context>
<context>
    <name>Privacy</name>
    <message>
        <location filename="../../kiosk/ui/privacy_panel.py" line="+177"/>
        <source>This kiosk could not read or change its data. Nothing was deleted.</source>
        <extracomment>How many audit entries the screen lists (newest first). The &quot;after N days&quot; choices offered (a policy set otherwise, e.g. ``days:14`` by the command line, is shown as an extra choice). The day count picked when staff choose &quot;after a number of days&quot; without choosing one. &quot;Delete now&quot; (or a policy change) finished: how many signatures&apos; personal data went.</extracomment>
        <translation>Este quiosco no pudo leer ni cambiar sus datos. No se borró nada.</translation>
    </message>
    <message>
        <location line="+87"/>
        <source>On the server</source>
        <extracomment>The retention state: loaded, loading, kind (``immediate`` | ``days`` | ``until_exported``), days, dayChoices, policy (the setting), purgeable (personal data the policy lets go now), purged (already deleted), waiting (not on the server yet), busy (deleting), lastPurged (the last &quot;Delete now&quot;, -1 before any), lastFiles (the export files saved on this tablet the last &quot;Delete now&quot; deleted), error (worded).</extracomment>
        <translation>En el servidor</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Differs from the server&apos;s copy</source>
        <translation>Difiere de la copia del servidor</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Not on the server yet</source>
        <translation>Aún no está en el servidor</translation>
    </message>
</context>
<context>
    <name>PrivacySection</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/PrivacySection.qml" line="+16"/>
        <source>Privacy</source>
        <translation>Privacidad</translation>
    </message>
    <message>
        <location line="+150"/>
        <source>How long personal data stays on this kiosk</source>
        <translation>Cuánto tiempo se guardan los datos personales en este quiosco</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Names, contact details and drawn signatures are deleted from this kiosk only after the server has confirmed it has the signature, whatever you choose here. Counts always stay.</source>
        <translation>Los nombres, los datos de contacto y las firmas dibujadas se borran de este quiosco solo después de que el servidor confirme que tiene la firma, elija lo que elija aquí. Los conteos siempre se conservan.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Delete as soon as the server has it</source>
        <translation>Borrar en cuanto el servidor la tenga</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Delete a number of days after signing</source>
        <translation>Borrar unos días después de la firma</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Keep until exported</source>
        <translation>Guardar hasta exportar</translation>
    </message>
    <message numerus="yes">
        <location line="-10"/>
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n día</numerusform>
            <numerusform>%n días</numerusform>
        </translation>
    </message>
    <message>
        <location line="-109"/>
        <source>Personal data is deleted as soon as the server has confirmed it has the signature.</source>
        <translation>Los datos personales se borran en cuanto el servidor confirma que tiene la firma.</translation>
    </message>
    <message numerus="yes">
        <location line="+2"/>
        <source>Personal data is deleted %n day(s) after signing, once the server has confirmed it has the signature.</source>
        <translation>
            <numerusform>Los datos personales se borran %n día después de la firma, una vez que el servidor confirma que tiene la firma.</numerusform>
            <numerusform>Los datos personales se borran %n días después de la firma, una vez que el servidor confirma que tiene la firma.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Personal data is kept until the signature has been exported on this kiosk and the server has confirmed it has it.</source>
        <translation>Los datos personales se guardan hasta que la firma se exporte en este quiosco y el servidor confirme que la tiene.</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Waiting to be deleted under this policy: %n signature(s).</source>
        <translation>
            <numerusform>Por borrar según esta política: %n firma.</numerusform>
            <numerusform>Por borrar según esta política: %n firmas.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Already deleted: %n signature(s) (they still count).</source>
        <translation>
            <numerusform>Ya borradas: %n firma (sigue contando).</numerusform>
            <numerusform>Ya borradas: %n firmas (siguen contando).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>Not on the server yet, so kept whatever the policy: %n signature(s).</source>
        <translation>
            <numerusform>Aún no están en el servidor y se guardan sea cual sea la política: %n firma.</numerusform>
            <numerusform>Aún no están en el servidor y se guardan sea cual sea la política: %n firmas.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Deleting…</source>
        <translation>Borrando…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Delete now</source>
        <translation>Borrar ahora</translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>Deleted the personal data of %n signature(s).</source>
        <translation>
            <numerusform>Se borraron los datos personales de %n firma.</numerusform>
            <numerusform>Se borraron los datos personales de %n firmas.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Nothing to delete under this policy.</source>
        <translation>No hay nada que borrar según esta política.</translation>
    </message>
    <message numerus="yes">
        <location line="+10"/>
        <source>Deleted %n export file(s) saved on this tablet.</source>
        <translation>
            <numerusform>Se borró %n archivo de exportación guardado en esta tableta.</numerusform>
            <numerusform>Se borraron %n archivos de exportación guardados en esta tableta.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+7"/>
        <source>“Delete now” also deletes the exports saved on this tablet (they are deleted a day after saving anyway); exports on a USB stick are never touched.</source>
        <translation>«Borrar ahora» también borra las exportaciones guardadas en esta tableta (se borran de todos modos un día después de guardarlas); las de una memoria USB nunca se tocan.</translation>
    </message>
    <message>
        <location line="+68"/>
        <source>Audit trail</source>
        <translation>Registro de auditoría</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Every staff action is recorded and sent to the server. Each entry is chained to the one before, so a changed or removed entry shows here.</source>
        <translation>Cada acción del personal se registra y se envía al servidor. Cada entrada está encadenada a la anterior, así que aquí se ve si alguna se cambió o se eliminó.</translation>
    </message>
    <message>
        <location line="+23"/>
        <source>Checking the audit trail…</source>
        <translation>Revisando el registro de auditoría…</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Check again</source>
        <translation>Revisar de nuevo</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>No entries yet.</source>
        <translation>Todavía no hay entradas.</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Latest entries, newest first:</source>
        <translation>Últimas entradas, la más reciente primero:</translation>
    </message>
</context>
<context>
    <name>ProgressBlock</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/ProgressBlock.qml" line="+11"/>
        <source>%1 of %2 signatures</source>
        <translation>%1 de %2 firmas</translation>
    </message>
</context>
<context>
    <name>SetupPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/SetupPage.qml" line="+28"/>
        <source>Set up this kiosk</source>
        <translation>Configurar este quiosco</translation>
    </message>
    <message>
        <location line="+28"/>
        <source>Before the first signer, choose a PIN for volunteers. It opens staff mode: a long press on the top-left corner of the screen.</source>
        <translation>Antes de la primera firma, elija un PIN para los voluntarios. Abre el modo de personal: mantenga presionada la esquina superior izquierda de la pantalla.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Staff PIN (4 to 12 digits)</source>
        <translation>PIN del personal (de 4 a 12 dígitos)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The same PIN again</source>
        <translation>El mismo PIN otra vez</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Coordinator passphrase</source>
        <translation>Frase de contraseña de la coordinación</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Signers&apos; details are encrypted with a key that only this passphrase unlocks: you need it to export or print the signatures, and it cannot be recovered if it is lost.</source>
        <translation>Los datos de quienes firman se cifran con una clave que solo esta frase de contraseña desbloquea: la necesitará para exportar o imprimir las firmas, y no se puede recuperar si se pierde.</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Passphrase (at least 8 characters)</source>
        <translation>Frase de contraseña (al menos 8 caracteres)</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>The same passphrase again</source>
        <translation>La misma frase de contraseña otra vez</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Setting up… this takes a few seconds.</source>
        <translation>Configurando… esto toma unos segundos.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>Finish set-up</source>
        <translation>Terminar la configuración</translation>
    </message>
</context>
<context>
    <name>SignerFlow</name>
    <message>
        <location filename="../../kiosk/ui/flow.py" line="+368"/>
        <source>Send me updates about this campaign. I can unsubscribe at any time.</source>
        <extracomment>The thank-you screen waits for speech mode to finish reading it, at most this much longer (checking every ``THANKS_HOLD_STEP_MS``). The text fields of the form, in the order they are laid out (and focused on errors). Checks a volunteer&apos;s staff PIN off the UI thread: ``witness(pin, done)`` calls ``done`` on the UI thread with True (right), False (wrong) or None (locked out for now). The typed signature&apos;s fields (errors are reported on them like on the form&apos;s). Ask the view to focus a form field (its domain name), e.g. the first one with an error. A signer&apos;s session ended and everything was wiped. A signature was durably saved (its id), before the thank-you screen shows. The active campaign as the attract and petition screens show it (in the current language; the fixed local campaign&apos;s text when staff fixed one). What this signer is signing: the campaign or the local campaign they confirmed. &quot;required&quot; / &quot;optional&quot; / &quot;hidden&quot; for each configurable field.</extracomment>
        <translation>Envíenme novedades sobre esta campaña. Puedo darme de baja en cualquier momento.</translation>
    </message>
</context>
<context>
    <name>Speech</name>
    <message>
        <location filename="../../kiosk/ui/speech.py" line="+176"/>
        <source>Speech is on. Headphones are recommended. Press Tab to move between controls and Enter to choose.</source>
        <extracomment>The engine speech uses: ``speechd`` on the kiosk, ``mock`` in tests. Voices for each UI language, best first (espeak-ng offers es_419 and es_ES, en_US, en_GB). Keys that press the focused control (a switch interface sends them too). The signer switched language while speech is on: the screen is read again in it. Every text handed to the engine, as it is handed (tests, and the log at debug level). Whether the engine is saying something now (the idle reset waits while it does). Whether this kiosk can speak at all (the engine is installed).</extracomment>
        <translation>La voz está activada. Se recomienda usar audífonos. Presione Tab para pasar de un control a otro y Enter para elegir.</translation>
    </message>
    <message>
        <location line="+77"/>
        <source>Everything you entered is cleared. Speech is now off: press F2 to turn it on again.</source>
        <translation>Se borró todo lo que ingresó. La voz está apagada: presione F2 para volver a activarla.</translation>
    </message>
    <message numerus="yes">
        <location line="+26"/>
        <source>%n fields need your attention.</source>
        <translation>
            <numerusform>%n campo necesita su atención.</numerusform>
            <numerusform>%n campos necesitan su atención.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+64"/>
        <location line="+20"/>
        <source>checked</source>
        <translation>marcada</translation>
    </message>
    <message>
        <location line="-20"/>
        <location line="+20"/>
        <source>not checked</source>
        <translation>sin marcar</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>unavailable</source>
        <translation>no disponible</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>empty</source>
        <translation>vacío</translation>
    </message>
    <message>
        <location line="+4"/>
        <source>filled in</source>
        <translation>completado</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>button</source>
        <translation>botón</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>check box</source>
        <translation>casilla</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>option</source>
        <translation>opción</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>text field</source>
        <translation>campo de texto</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>signature area</source>
        <translation>área de firma</translation>
    </message>
    <message numerus="yes">
        <location line="+8"/>
        <source>Are you still there? The options you chose will go back to normal for the next person in %n second(s). Press Enter if you are still here.</source>
        <translation>
            <numerusform>¿Sigue ahí? Las opciones que eligió volverán a lo normal para la próxima persona en %n segundo. Presione Enter si sigue aquí.</numerusform>
            <numerusform>¿Sigue ahí? Las opciones que eligió volverán a lo normal para la próxima persona en %n segundos. Presione Enter si sigue aquí.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>Are you still there? For your privacy, this screen will be cleared in %n second(s). Press Enter if you are still here, or choose More time.</source>
        <translation>
            <numerusform>¿Sigue ahí? Por su privacidad, esta pantalla se borrará en %n segundo. Presione Enter si sigue aquí, o elija Más tiempo.</numerusform>
            <numerusform>¿Sigue ahí? Por su privacidad, esta pantalla se borrará en %n segundos. Presione Enter si sigue aquí, o elija Más tiempo.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/StaffPage.qml" line="+70"/>
        <source>Staff mode</source>
        <translation>Modo de personal</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>DEMO</source>
        <extracomment>Staff mode badge of a demo kiosk (kiosk --demo): short, capitals.</extracomment>
        <translation>DEMOSTRACIÓN</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Event: %1</source>
        <translation>Evento: %1</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>No event named</source>
        <translation>Sin evento</translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Back to signing</source>
        <translation>Volver a las firmas</translation>
    </message>
    <message>
        <location line="+19"/>
        <source>Campaign</source>
        <translation>Campaña</translation>
    </message>
    <message>
        <location line="+1"/>
        <location line="+243"/>
        <source>Event</source>
        <translation>Evento</translation>
    </message>
    <message>
        <location line="-242"/>
        <location line="+337"/>
        <source>Last entries</source>
        <translation>Últimas firmas</translation>
    </message>
    <message>
        <location line="-336"/>
        <location line="+511"/>
        <source>Sync</source>
        <translation>Sincronización</translation>
    </message>
    <message>
        <location line="-510"/>
        <source>Exports</source>
        <translation>Exportaciones</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Privacy</source>
        <translation>Privacidad</translation>
    </message>
    <message>
        <location line="+20"/>
        <source>Close the app? Signing stops until it is started again.</source>
        <translation>¿Cerrar la aplicación? No se podrá firmar hasta que se vuelva a abrir.</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Yes, exit</source>
        <translation>Sí, salir</translation>
    </message>
    <message>
        <location line="+7"/>
        <location line="+284"/>
        <location line="+168"/>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <location line="-452"/>
        <source>Exit the app</source>
        <translation>Cerrar la app</translation>
    </message>
    <message>
        <location line="+31"/>
        <source>Today, this campaign</source>
        <translation>Hoy, esta campaña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All time, this campaign</source>
        <translation>En total, esta campaña</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Today, all campaigns</source>
        <translation>Hoy, todas las campañas</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>All time, all campaigns</source>
        <translation>En total, todas las campañas</translation>
    </message>
    <message>
        <location line="+32"/>
        <source>Campaign shown to signers</source>
        <translation>Campaña que se muestra al público</translation>
    </message>
    <message>
        <location line="+34"/>
        <source>Shown to signers now</source>
        <translation>Se muestra ahora</translation>
    </message>
    <message numerus="yes">
        <location line="+3"/>
        <source>%n local campaign(s)</source>
        <translation>
            <numerusform>%n campaña local</numerusform>
            <numerusform>%n campañas locales</numerusform>
        </translation>
    </message>
    <message>
        <location line="+17"/>
        <source>Local campaign</source>
        <translation>Campaña local</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>By default each signer&apos;s ZIP code chooses their local campaign. At an event in one city, fix the kiosk to that city&apos;s campaign.</source>
        <translation>Normalmente el código postal de cada persona elige su campaña local. En un evento en una sola ciudad, fije el quiosco a la campaña de esa ciudad.</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>By ZIP code</source>
        <translation>Por código postal</translation>
    </message>
    <message>
        <location line="+48"/>
        <source>In use now</source>
        <translation>En uso ahora</translation>
    </message>
    <message>
        <location line="+24"/>
        <source>Since %1, signatures are recorded for this event.</source>
        <translation>Desde el %1, las firmas se registran para este evento.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Name the rally or tabling event; new signatures are recorded for it.</source>
        <translation>Escriba el nombre de la marcha o del evento; las nuevas firmas se registran para él.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Event name</source>
        <translation>Nombre del evento</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Location</source>
        <translation>Lugar</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Save changes</source>
        <translation>Guardar cambios</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Start event</source>
        <translation>Empezar el evento</translation>
    </message>
    <message>
        <location line="+7"/>
        <source>End event</source>
        <translation>Terminar el evento</translation>
    </message>
    <message numerus="yes">
        <location line="+18"/>
        <source>%n signature(s) were already recorded at “%1”. Is “%2” a new event, or a correction of this one&apos;s name?</source>
        <translation>
            <numerusform>Ya se registró %n firma en «%1». ¿Es «%2» un evento nuevo o una corrección del nombre de este?</numerusform>
            <numerusform>Ya se registraron %n firmas en «%1». ¿Es «%2» un evento nuevo o una corrección del nombre de este?</numerusform>
        </translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Start a new event</source>
        <translation>Empezar un evento nuevo</translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Correct this event&apos;s name</source>
        <translation>Corregir el nombre de este evento</translation>
    </message>
    <message>
        <location line="+27"/>
        <source>Names are shown until you hide them or leave staff mode.</source>
        <translation>Los nombres se muestran hasta que los oculte o salga del modo de personal.</translation>
    </message>
    <message>
        <location line="+2"/>
        <source>Names are encrypted. The coordinator&apos;s passphrase shows them.</source>
        <translation>Los nombres están cifrados. La frase de contraseña de la coordinación los muestra.</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Names are encrypted and cannot be shown on this kiosk.</source>
        <translation>Los nombres están cifrados y no se pueden mostrar en este quiosco.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Coordinator passphrase</source>
        <translation>Frase de contraseña de la coordinación</translation>
    </message>
    <message>
        <location line="+11"/>
        <source>Opening…</source>
        <translation>Abriendo…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Show names</source>
        <translation>Mostrar nombres</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Hide names</source>
        <translation>Ocultar nombres</translation>
    </message>
    <message>
        <location line="+5"/>
        <source>No signatures on this kiosk yet.</source>
        <translation>Todavía no hay firmas en este quiosco.</translation>
    </message>
    <message>
        <location line="+60"/>
        <source>Void: %1</source>
        <translation>Anulado: %1</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Void…</source>
        <translation>Anular…</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>Why is this entry void?</source>
        <translation>¿Por qué se anula este registro?</translation>
    </message>
    <message>
        <location line="+12"/>
        <source>The entry is kept and marked void, never deleted. Write no name or contact in the reason: it is stored and sent to the server as written.</source>
        <translation>La firma se conserva marcada como anulada, nunca se borra. No escriba nombres ni datos de contacto en el motivo: se guarda y se envía al servidor tal como está escrito.</translation>
    </message>
    <message>
        <location line="+15"/>
        <source>Void entry</source>
        <translation>Anular registro</translation>
    </message>
    <message>
        <location line="+22"/>
        <source>Syncing with %1…</source>
        <translation>Sincronizando con %1…</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Connected to %1.</source>
        <translation>Conectado a %1.</translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>%n record(s) waiting to be sent to the server (signatures and voids).</source>
        <translation>
            <numerusform>%n registro pendiente de enviar al servidor (firmas y anulaciones).</numerusform>
            <numerusform>%n registros pendientes de enviar al servidor (firmas y anulaciones).</numerusform>
        </translation>
    </message>
    <message>
        <location line="+5"/>
        <source>Last successful sync: %1</source>
        <translation>Última sincronización correcta: %1</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>Next try: %1.</source>
        <translation>Próximo intento: %1.</translation>
    </message>
    <message numerus="yes">
        <location line="+9"/>
        <source>The server refused %n signature(s). They stay on this kiosk and are sent again at every sync; ask your coordinator.</source>
        <translation>
            <numerusform>El servidor rechazó %n firma. Se queda en este quiosco y se vuelve a enviar en cada sincronización; consulte a su coordinador.</numerusform>
            <numerusform>El servidor rechazó %n firmas. Se quedan en este quiosco y se vuelven a enviar en cada sincronización; consulte a su coordinador.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Server&apos;s reason: %1</source>
        <translation>Motivo del servidor (en inglés): %1</translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>%n signature(s) differ from the server&apos;s copy and are kept for review.</source>
        <translation>
            <numerusform>%n firma difiere de la copia del servidor y se conserva para revisión.</numerusform>
            <numerusform>%n firmas difieren de la copia del servidor y se conservan para revisión.</numerusform>
        </translation>
    </message>
    <message>
        <location line="+6"/>
        <source>Sync now</source>
        <translation>Sincronizar ahora</translation>
    </message>
    <message>
        <location line="+16"/>
        <source>Server address</source>
        <translation>Dirección del servidor</translation>
    </message>
    <message>
        <location line="+8"/>
        <source>One-time code</source>
        <translation>Código de un solo uso</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>Allow unencrypted connection (local network only)</source>
        <translation>Permitir conexión sin cifrar (solo red local)</translation>
    </message>
    <message>
        <location line="+33"/>
        <source>Without encryption, anyone on this network can read this kiosk&apos;s access token and what it sends (personal data stays sealed). Use this only for a server on a network you trust, never over the internet.</source>
        <translation>Sin cifrado, cualquier persona en esta red puede leer el token de acceso de este quiosco y lo que envía (los datos personales siguen sellados). Úselo solo con un servidor en una red de confianza, nunca por internet.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>Connecting…</source>
        <translation>Conectando…</translation>
    </message>
    <message>
        <location line="+0"/>
        <source>Connect to server</source>
        <translation>Conectar al servidor</translation>
    </message>
</context>
<context>
    <name>StartOver</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/StartOver.qml" line="+18"/>
        <source>Start over</source>
        <translation>Empezar de nuevo</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Clears everything you entered and goes back to the first screen</source>
        <translation>Borra todo lo que ingresó y vuelve a la primera pantalla</translation>
    </message>
    <message>
        <location line="+80"/>
        <source>Start over?</source>
        <translation>¿Empezar de nuevo?</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Everything you entered will be cleared and the first screen will show again.</source>
        <translation>Todo lo que ingresó se borrará y se mostrará otra vez la primera pantalla.</translation>
    </message>
    <message>
        <location line="+13"/>
        <source>No, keep my details</source>
        <translation>No, conservar mis datos</translation>
    </message>
    <message>
        <location line="+10"/>
        <source>Yes, start over</source>
        <translation>Sí, empezar de nuevo</translation>
    </message>
</context>
<context>
    <name>ThanksPage</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/ThanksPage.qml" line="+11"/>
        <location line="+42"/>
        <source>Thank you for signing!</source>
        <translation>¡Gracias por firmar!</translation>
    </message>
    <message>
        <location line="-41"/>
        <location line="+49"/>
        <source>Your signature has been saved. It will be delivered together with all the others.</source>
        <translation>Su firma quedó guardada. Se entregará junto con todas las demás.</translation>
    </message>
    <message>
        <location line="+14"/>
        <source>The screen clears itself for the next person in a few seconds.</source>
        <translation>En unos segundos la pantalla se borra para la siguiente persona.</translation>
    </message>
    <message>
        <location line="+9"/>
        <source>Done</source>
        <translation>Listo</translation>
    </message>
</context>
<context>
    <name>TopBar</name>
    <message>
        <location filename="../../kiosk/ui/qml/KioskUi/TopBar.qml" line="+64"/>
        <source>Accessibility options</source>
        <translation>Opciones de accesibilidad</translation>
    </message>
    <message>
        <location line="+1"/>
        <source>Read aloud, text size, high contrast, more time</source>
        <translation>Lectura en voz alta, tamaño del texto, alto contraste, más tiempo</translation>
    </message>
    <message>
        <location line="+29"/>
        <source>Larger text</source>
        <translation>Letra más grande</translation>
    </message>
</context>
</TS>
