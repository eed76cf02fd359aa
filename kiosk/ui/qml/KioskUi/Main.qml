// The kiosk window: the screen for the current mode, the idle countdown, the hidden staff
// corner and the on-screen keyboard inside the window.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Settings
import Kiosk

ApplicationWindow {
    id: window
    objectName: "window"
    required property var app
    property bool windowed: true

    width: 1280
    height: 800
    visible: false
    title: qsTr("Petition Kiosk")
    color: Theme.color.background

    readonly property string mode: app.mode
    readonly property string step: app.flow.step
    // How much of the window the keyboard covers right now (it slides).
    // None while the signer types on a physical keyboard (app.hardwareKeys): the on-screen
    // keyboard is hidden then, and the screen keeps its whole height.
    readonly property real keyboardCover: window.keyboardPanel && !window.app.hardwareKeys
                                          ? Math.max(0, window.height - window.keyboardPanel.y) : 0
    // The loaded signer screens and on-screen keyboard (null while they load), typed.
    readonly property SignerSession sessionItem: session.item as SignerSession
    readonly property InputPanel keyboardPanel: keyboardLoader.item as InputPanel

    // The signer's text size is theirs: the PIN screen, staff mode and the set-up (a
    // volunteer's screens) stay at 100 %; back in the signer flow it applies again.
    Binding { target: Theme; property: "scale"; value: window.mode === "signer" ? window.app.textScale : 1.0 }
    Binding { target: Theme; property: "highContrast"; value: window.app.highContrast }
    // F2 on a keyboard turns speech mode on or off on every signer screen (issue #17).
    Shortcut {
        sequence: "F2"
        enabled: window.mode === "signer"
        onActivated: {
            window.app.speech.toggle()
            // Turned on: the screen the signer is on is read, as the attract screen's button
            // does (a keyboard user would otherwise not know where they are).
            if (window.app.speech.enabled && window.shownPage)
                window.shownPage.readAloud()
        }
    }
    // The signer screen showing now (null in the other modes).
    readonly property FadePage shownPage: window.mode !== "signer" ? null
                                        : window.step === "attract" ? attractPage
                                        : window.sessionItem ? window.sessionItem.shownPage : null
    Binding {
        target: VirtualKeyboardSettings
        property: "locale"
        value: window.keyboardLocale
    }
    readonly property string keyboardLocale: window.app.i18n.language === "es" ? "es_MX" : "en_US"
    // The keyboard's globe key changes its input language without touching the setting, so
    // the next signer would inherit it: at every wipe the setting is changed (through "" and
    // back), which puts the keyboard on the UI language again.
    Connections {
        target: window.app.flow
        function onWiped() {
            VirtualKeyboardSettings.locale = ""
            VirtualKeyboardSettings.locale = window.keyboardLocale
        }
    }
    Component.onCompleted: {
        // Qt Virtual Keyboard's own layouts, plus an email layout with "@" and ".com".
        VirtualKeyboardSettings.layoutPath = Qt.resolvedUrl("../keyboard")
        VirtualKeyboardSettings.activeLocales = ["en_US", "es_MX", "vi_VN"]
        VirtualKeyboardSettings.wordCandidateList.alwaysVisible = false
    }

    // Takes the focus away from text fields (and so hides the keyboard) between screens.
    Item {
        id: focusSink
        focus: true  // also at start-up, so the attract screen's scrolling keys work at once
        // Nothing has the focus (a screen just showed): the scrolling keys scroll its text.
        Keys.onPressed: (event) => {
            const page = window.shownPage
            event.accepted = page !== null && page.scrollArea !== null && page.scrollArea.keyScroll(event)
        }
    }
    function dropFocus() {
        focusSink.forceActiveFocus()
        Qt.inputMethod.hide()  // qmllint disable missing-property
    }
    onModeChanged: dropFocus()
    onStepChanged: dropFocus()

    // Whatever has the focus, on every screen, is scrolled into view above the keyboard: a
    // field with its label and error line (when a finger taps it, when the keyboard's Next key
    // moves on, when the keyboard slides up over it), and a button, check box or choice that
    // Tab reached (at 200 % text it may lie below the screen's edge).
    function revealFocus() {
        var item = window.activeFocusItem
        if (!item || (item as Flickable))
            return  // nothing, or a scrolling area itself (it is in view)
        if (item.parent as KField)
            item = item.parent  // a KField: label, field and error
        var up = item.parent
        while (up && !(up as Flickable))
            up = up.parent
        var flick = up as Flickable
        if (!flick)
            return
        var top = item.mapToItem(flick.contentItem, 0, 0).y - 24
        var bottom = top + item.height + 48
        var field = item as KField
        if (field && field.revealWith && field.revealWith.visible)  // its buttons come along
            bottom = Math.max(bottom, field.revealWith.mapToItem(flick.contentItem, 0, 0).y
                                      + field.revealWith.height + 24)
        if (top < flick.contentY)
            flick.contentY = Math.max(0, top)
        else if (bottom > flick.contentY + flick.height)
            flick.contentY = Math.max(0, Math.min(flick.contentHeight - flick.height,
                                                  bottom - flick.height))
    }
    onActiveFocusItemChanged: Qt.callLater(revealFocus)
    onKeyboardCoverChanged: Qt.callLater(revealFocus)

    Item {
        id: stage
        anchors { left: parent.left; right: parent.right; top: parent.top }
        height: window.height - window.keyboardCover
        // Nothing behind "Are you still there?" takes the focus, a key or a tap.
        enabled: !idleOverlay.holding

        AttractPage {
            id: attractPage
            anchors.fill: parent
            app: window.app
            shown: window.mode === "signer" && window.step === "attract"
        }

        // One signer's screens; rebuilt from scratch for each signer.
        Loader {
            id: session
            objectName: "sessionLoader"
            anchors.fill: parent
            asynchronous: true
            // Not before it is fully built (it loads in the background).
            visible: status === Loader.Ready && window.mode === "signer" && window.step !== "attract"
            sourceComponent: Component { SignerSession { app: window.app; pad: sharedPad } }
            Connections {
                target: window.app.flow
                function onGenerationChanged() {
                    session.active = false
                    session.active = true
                }
            }
        }

        Loader {
            anchors.fill: parent
            active: window.mode === "pin"
            sourceComponent: Component { PinPage { app: window.app } }
        }
        Loader {
            anchors.fill: parent
            active: window.mode === "staff"
            sourceComponent: Component { StaffPage { app: window.app } }
        }
        Loader {
            anchors.fill: parent
            active: window.mode === "setup"
            sourceComponent: Component { SetupPage { app: window.app } }
        }
    }

    // The one signature pad: shown inside the signing screen's card, wiped for every signer.
    Item { id: padHome; visible: false; width: 1100; height: 420 }
    SignaturePad {
        id: sharedPad
        objectName: "pad.canvas"
        parent: window.sessionItem && window.sessionItem.padSlot ? window.sessionItem.padSlot : padHome
        anchors.fill: parent
        anchors.margins: 4
        penWidth: 3.6
        penColor: Theme.color.ink
        Accessible.role: Accessible.Canvas
        Accessible.name: qsTr("Signature pad. Sign with your finger.")
        Accessible.description: window.app.flow.message  // what is wrong with the signature
        onStrokeFinished: window.app.flow.clearMessage()

        // A stylus with pressure (Qt Quick hands tablet events to pointer handlers).
        PointHandler {
            acceptedDevices: PointerDevice.Stylus
            onActiveChanged: active ? sharedPad.stylusPress(point.position, point.pressure)
                                    : sharedPad.stylusRelease(point.position, point.pressure)
            onPointChanged: if (active) sharedPad.stylusMove(point.position, point.pressure)
        }
        Connections {
            target: window.app.flow
            function onWiped() { sharedPad.clear() }
        }
    }

    // Hold the top-left corner for three seconds to reach the staff PIN.
    MouseArea {
        objectName: "staff.corner"
        x: 0
        y: 0
        width: 88
        height: 88
        z: 800
        enabled: window.mode === "signer"
        pressAndHoldInterval: window.app.staffHoldMs
        onPressAndHold: window.app.openStaff()
        Accessible.role: Accessible.Button
        Accessible.name: qsTr("Staff mode (hold for three seconds)")
    }

    IdleOverlay {
        id: idleOverlay
        anchors.fill: parent
        z: 950
        app: window.app
        restFocus: focusSink
    }

    Rectangle {
        // The keyboard's band across the full width.
        z: 899
        x: 0
        y: window.keyboardPanel ? window.keyboardPanel.y : window.height
        width: window.width
        height: window.keyboardPanel ? window.keyboardPanel.height : 0
        color: "#263238"  // the default keyboard style's own background
        visible: y < window.height && !window.app.hardwareKeys
    }
    // The on-screen keyboard loads in the background once the first screen is drawn (no text
    // field comes before a signer taps "Sign"): it is not on the start-up path.
    Loader {
        id: keyboardLoader
        z: 900
        active: false
        asynchronous: true
        sourceComponent: Component {
            InputPanel {
                objectName: "keyboard"
                visible: !window.app.hardwareKeys
                width: Math.min(window.width, 920)
                x: (window.width - width) / 2
                y: active ? window.height - height : window.height
                Behavior on y { NumberAnimation { duration: 140; easing.type: Easing.OutCubic } }
            }
        }
    }
    onFrameSwapped: if (!keyboardLoader.active) keyboardLoader.active = true
}
