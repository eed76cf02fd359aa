<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
<context>
    <name>ExportsSection</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/KioskUi/ExportsSection.qml" line="+436"/>
        <source>%n signature(s) left out: their personal data was deleted after sync (export them from the server).</source>
        <translation>
            <numerusform>%n signature left out: their personal data was deleted after sync (export them from the server).</numerusform>
            <numerusform>%n signatures left out: their personal data was deleted after sync (export them from the server).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>%n signature(s) could not be opened with this key.</source>
        <translation>
            <numerusform>%n signature could not be opened with this key.</numerusform>
            <numerusform>%n signatures could not be opened with this key.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>IdleOverlay</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/KioskUi/IdleOverlay.qml" line="+99"/>
        <source>The options you chose (language, text size, reading aloud) will go back to normal for the next person in %n second(s).</source>
        <translation>
            <numerusform>The options you chose (language, text size, reading aloud) will go back to normal for the next person in %n second.</numerusform>
            <numerusform>The options you chose (language, text size, reading aloud) will go back to normal for the next person in %n seconds.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+1"/>
        <source>For your privacy, this screen will be cleared in %n second(s).</source>
        <translation>
            <numerusform>For your privacy, this screen will be cleared in %n second.</numerusform>
            <numerusform>For your privacy, this screen will be cleared in %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Messages</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/messages.py" line="+228"/>
        <source>After %n day(s)</source>
        <translation>
            <numerusform>After %n day</numerusform>
            <numerusform>After %n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+42"/>
        <location line="+12"/>
        <source>%n signature(s)</source>
        <translation>
            <numerusform>%n signature</numerusform>
            <numerusform>%n signatures</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="-7"/>
        <source>for %n second(s)</source>
        <translation>
            <numerusform>for %n second</numerusform>
            <numerusform>for %n seconds</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+25"/>
        <source>Intact: %n entries</source>
        <translation>
            <numerusform>Intact: %n entry</numerusform>
            <numerusform>Intact: %n entries</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+120"/>
        <source>Wrong PIN. %n tries left.</source>
        <translation>
            <numerusform>Wrong PIN. %n try left.</numerusform>
            <numerusform>Wrong PIN. %n tries left.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PrivacySection</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/KioskUi/PrivacySection.qml" line="+199"/>
        <source>%n day(s)</source>
        <translation>
            <numerusform>%n day</numerusform>
            <numerusform>%n days</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="-107"/>
        <source>Personal data is deleted %n day(s) after signing, once the server has confirmed it has the signature.</source>
        <translation>
            <numerusform>Personal data is deleted %n day after signing, once the server has confirmed it has the signature.</numerusform>
            <numerusform>Personal data is deleted %n days after signing, once the server has confirmed it has the signature.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>Waiting to be deleted under this policy: %n signature(s).</source>
        <translation>
            <numerusform>Waiting to be deleted under this policy: %n signature.</numerusform>
            <numerusform>Waiting to be deleted under this policy: %n signatures.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+5"/>
        <source>Already deleted: %n signature(s) (they still count).</source>
        <translation>
            <numerusform>Already deleted: %n signature (they still count).</numerusform>
            <numerusform>Already deleted: %n signatures (they still count).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>Not on the server yet, so kept whatever the policy: %n signature(s).</source>
        <translation>
            <numerusform>Not on the server yet, so kept whatever the policy: %n signature.</numerusform>
            <numerusform>Not on the server yet, so kept whatever the policy: %n signatures.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+21"/>
        <source>Deleted the personal data of %n signature(s).</source>
        <translation>
            <numerusform>Deleted the personal data of %n signature.</numerusform>
            <numerusform>Deleted the personal data of %n signatures.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+11"/>
        <source>Deleted %n export file(s) saved on this tablet.</source>
        <translation>
            <numerusform>Deleted %n export file saved on this tablet.</numerusform>
            <numerusform>Deleted %n export files saved on this tablet.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>Speech</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/speech.py" line="+279"/>
        <source>%n fields need your attention.</source>
        <translation>
            <numerusform>%n fields need your attention.</numerusform>
            <numerusform>%n fields need your attention.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+121"/>
        <source>Are you still there? The options you chose will go back to normal for the next person in %n second(s). Press Enter if you are still here.</source>
        <translation>
            <numerusform>Are you still there? The options you chose will go back to normal for the next person in %n second. Press Enter if you are still here.</numerusform>
            <numerusform>Are you still there? The options you chose will go back to normal for the next person in %n seconds. Press Enter if you are still here.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+6"/>
        <source>Are you still there? For your privacy, this screen will be cleared in %n second(s). Press Enter if you are still here, or choose More time.</source>
        <translation>
            <numerusform>Are you still there? For your privacy, this screen will be cleared in %n second. Press Enter if you are still here, or choose More time.</numerusform>
            <numerusform>Are you still there? For your privacy, this screen will be cleared in %n seconds. Press Enter if you are still here, or choose More time.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/KioskUi/StaffPage.qml" line="+281"/>
        <source>%n local campaign(s)</source>
        <translation>
            <numerusform>%n local campaign</numerusform>
            <numerusform>%n local campaigns</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+160"/>
        <source>%n signature(s) were already recorded at “%1”. Is “%2” a new event, or a correction of this one&apos;s name?</source>
        <translation>
            <numerusform>%n signature was already recorded at “%1”. Is “%2” a new event, or a correction of this one&apos;s name?</numerusform>
            <numerusform>%n signatures were already recorded at “%1”. Is “%2” a new event, or a correction of this one&apos;s name?</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+224"/>
        <source>%n record(s) waiting to be sent to the server (signatures and voids).</source>
        <translation>
            <numerusform>%n record waiting to be sent to the server (signatures and voids).</numerusform>
            <numerusform>%n records waiting to be sent to the server (signatures and voids).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+22"/>
        <source>The server refused %n signature(s). They stay on this kiosk and are sent again at every sync; ask your coordinator.</source>
        <translation>
            <numerusform>The server refused %n signature. It stays on this kiosk and is sent again at every sync; ask your coordinator.</numerusform>
            <numerusform>The server refused %n signatures. They stay on this kiosk and are sent again at every sync; ask your coordinator.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+7"/>
        <source>%n signature(s) differ from the server&apos;s copy and are kept for review.</source>
        <translation>
            <numerusform>%n signature differs from the server&apos;s copy and is kept for review.</numerusform>
            <numerusform>%n signatures differ from the server&apos;s copy and are kept for review.</numerusform>
        </translation>
    </message>
</context>
</TS>
