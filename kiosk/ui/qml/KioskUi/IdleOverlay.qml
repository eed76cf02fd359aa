// "Are you still there?" with a countdown; at zero everything is wiped.
import QtQuick
import QtQuick.Layouts
import Kiosk

Rectangle {
    id: root
    objectName: "idle.overlay"
    required property var app
    readonly property int secondsLeft: app.idle.secondsLeft
    readonly property bool settingsOnly: app.mode === "signer" && app.flow.step === "attract"
    color: Theme.color.scrim
    visible: secondsLeft > 0
    // Modal for the keyboard too: while it shows, the focus stays on its buttons (Main.qml
    // disables the screens behind, so Tab cannot reach a field under the cover and typing
    // goes nowhere); a keyboard or switch user is on "I'm still here" at once (Enter answers),
    // and is taken back to where they were when the signer's screen comes back.
    // Escape answers "I'm still here" too, as it dismisses a dialog (from any of its buttons:
    // their keys come here when they do not take them).
    Keys.onEscapePressed: (event) => {
        event.accepted = true
        root.app.stillHere()
    }
    property bool holding: false
    property Item returnFocus: null
    property int returnGeneration: -1
    onVisibleChanged: {
        if (visible) {
            const item = root.Window.activeFocusItem
            root.returnFocus = item && item !== root.Window.contentItem ? item : null
            root.returnGeneration = root.app.flow.generation
            stillHere.forceActiveFocus()
            root.holding = true
        } else {
            root.holding = false
            Qt.callLater(root.giveFocusBack)
        }
    }
    // Where the focus goes when it cannot go back (Main.qml: its focus sink).
    property Item restFocus: null
    // Only to the same signer's screen, and only to an item still shown and enabled: after a
    // wipe (or another screen) the focus stays where that put it. It is never left on this
    // hidden dialog's buttons (Enter would answer a question no longer asked, speech mode
    // would read it): the focus sink takes it then.
    function giveFocusBack() {
        const item = root.returnFocus
        root.returnFocus = null
        if (root.visible)
            return
        if (item && root.app.flow.generation === root.returnGeneration && item.visible && item.enabled) {
            item.forceActiveFocus()
            return
        }
        var up = root.Window.activeFocusItem
        while (up && up !== root)
            up = up.parent
        if (up === root && root.restFocus) {
            root.restFocus.forceActiveFocus()
            Qt.inputMethod.hide()  // qmllint disable missing-property
        }
    }

    // Opaque: nothing of the entry behind it can be read. Any touch on it counts as "still here".
    MouseArea {
        anchors.fill: parent
        onClicked: root.app.stillHere()
        Accessible.role: Accessible.Button
        Accessible.name: qsTr("I'm still here")
    }

    Rectangle {
        objectName: "idle.card"
        anchors.centerIn: parent
        width: Math.min(parent.width - (parent.width < 1000 ? 64 : 160), 760)
        height: col.implicitHeight + 80
        radius: 24
        color: Theme.color.surface

        ColumnLayout {
            id: col
            anchors { left: parent.left; right: parent.right; top: parent.top; margins: 44 }
            spacing: 22
            Text {
                objectName: "idle.title"
                Layout.fillWidth: true
                wrapMode: Text.Wrap
                horizontalAlignment: Text.AlignHCenter
                text: qsTr("Are you still there?")
                font.pixelSize: Theme.size.title
                font.weight: Font.Bold
                color: Theme.color.text
            }
            KText {
                objectName: "idle.countdown"
                Layout.fillWidth: true
                horizontalAlignment: Text.AlignHCenter
                // On the attract screen only the signer's settings are left to reset.
                text: root.settingsOnly
                      ? qsTr("The options you chose (language, text size, reading aloud) will go back to normal for the next person in %n second(s).", "", root.secondsLeft)
                      : qsTr("For your privacy, this screen will be cleared in %n second(s).", "", root.secondsLeft)
            }
            // Side by side when they fit, else one above the other.
            GridLayout {
                id: choices
                Layout.alignment: Qt.AlignHCenter
                Layout.fillWidth: columns === 1
                columns: startOver.implicitWidth + stillHere.implicitWidth
                         + (moreTime.visible ? moreTime.implicitWidth + columnSpacing : 0)
                         + columnSpacing <= col.width ? (moreTime.visible ? 3 : 2) : 1
                columnSpacing: 20
                rowSpacing: 14
                KButton {
                    id: startOver
                    objectName: "idle.startOver"
                    stretch: choices.columns === 1
                    kind: "secondary"
                    text: qsTr("Start over")
                    onClicked: root.app.startOver()
                }
                // Once per screen: this screen's time limit three times longer (issue #17).
                KButton {
                    id: moreTime
                    objectName: "idle.moreTime"
                    stretch: choices.columns === 1
                    visible: root.app.moreTimeOffered
                    kind: "secondary"
                    text: qsTr("More time")
                    Accessible.description: qsTr("This screen waits three times longer")
                    onClicked: root.app.moreTime()
                }
                KButton {
                    id: stillHere
                    objectName: "idle.stillHere"
                    stretch: choices.columns === 1
                    text: qsTr("I'm still here")
                    onClicked: root.app.stillHere()
                }
            }
        }
    }
}
