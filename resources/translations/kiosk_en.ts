<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US" sourcelanguage="en_US">
<context>
    <name>IdleOverlay</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/KioskUi/IdleOverlay.qml" line="+46"/>
        <source>For your privacy, this screen will be cleared in %n second(s).</source>
        <translation>
            <numerusform>For your privacy, this screen will be cleared in %n second.</numerusform>
            <numerusform>For your privacy, this screen will be cleared in %n seconds.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>PinPage</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/KioskUi/PinPage.qml" line="+70"/>
        <source>Wrong PIN. %n tries left.</source>
        <translation>
            <numerusform>Wrong PIN. %n try left.</numerusform>
            <numerusform>Wrong PIN. %n tries left.</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>StaffPage</name>
    <message numerus="yes">
        <location filename="../../kiosk/ui/qml/KioskUi/StaffPage.qml" line="+198"/>
        <source>%n local campaign(s)</source>
        <translation>
            <numerusform>%n local campaign</numerusform>
            <numerusform>%n local campaigns</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+266"/>
        <source>%n record(s) waiting to be sent to the server (signatures and voids).</source>
        <translation>
            <numerusform>%n record waiting to be sent to the server (signatures and voids).</numerusform>
            <numerusform>%n records waiting to be sent to the server (signatures and voids).</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <location line="+19"/>
        <source>%n signature(s) differ from the server&apos;s copy and are kept for review.</source>
        <translation>
            <numerusform>%n signature differs from the server&apos;s copy and is kept for review.</numerusform>
            <numerusform>%n signatures differ from the server&apos;s copy and are kept for review.</numerusform>
        </translation>
    </message>
</context>
</TS>
