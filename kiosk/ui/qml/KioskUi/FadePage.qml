// A screen that fades in when shown and goes at once when hidden (two screens never mix);
// hidden screens take no input.
import QtQuick
import Kiosk

Rectangle {
    id: root
    property bool shown: false
    // Speech mode (issue #17): what is said when the screen shows, in the signer's language.
    // The page's accessible name and description are the same words, for a screen reader.
    property var speech: null
    property string spokenTitle: ""
    property string spokenText: ""
    Accessible.role: Accessible.Pane
    Accessible.name: root.spokenTitle
    Accessible.description: root.spokenText
    // The page's scrolling area: it takes the scrolling keys when nothing has the focus.
    property KScroll scrollArea: null
    // A scrolling key a control of the page (a bar's button) does not use scrolls its text.
    Keys.onPressed: (event) => { event.accepted = root.scrollArea !== null && root.scrollArea.keyScroll(event) }
    property bool said: false  // once each time the screen shows
    function speak() {
        if (!root.shown || root.said || !root.speech)
            return
        root.said = true
        root.speech.screen(root.spokenTitle, root.spokenText)
    }
    // Said again when what it says changes while it shows (the signer's language).
    function respeak() {
        root.said = false
        Qt.callLater(root.speak)
    }
    // Said from the start (F2 turned speech on while the screen shows).
    function readAloud() {
        if (!root.speech)
            return
        root.said = true
        root.speech.queue(root.spokenTitle)
        root.speech.queue(root.spokenText)
    }
    // The signer switched language: the screen is said again, in the new language and voice
    // (otherwise pressing "Español" with speech on is met with silence).
    Connections {
        target: root.speech
        function onVoiceChanged() { if (root.shown) root.respeak() }
    }
    onShownChanged: {
        root.said = false
        Qt.callLater(root.speak)
    }
    Component.onCompleted: Qt.callLater(root.speak)
    color: Theme.color.background
    opacity: shown ? 1 : 0
    // Hidden in the same frame as ``shown`` turns false: the Behavior's ``enabled`` below is
    // not re-evaluated before the opacity change it would skip, so the fade-out runs anyway
    // (invisibly; the next fade-in starts from where it is).
    visible: shown && opacity > 0
    enabled: shown
    Behavior on opacity {
        enabled: root.shown
        NumberAnimation { duration: 180; easing.type: Easing.OutCubic }
    }
}
