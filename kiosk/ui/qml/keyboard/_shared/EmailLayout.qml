// The email keyboard: digits, letters, "@", "." and ".com" on the first page, so a signer
// never hunts for "@" behind the symbols key. Used by every language's main layout.
import QtQuick
import QtQuick.Layouts
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components

KeyboardLayout {
    inputMode: InputEngine.InputMode.Latin
    keyWeight: 160

    component CharKey: Key {
        required property string modelData
        text: modelData
        key: modelData.toUpperCase().charCodeAt(0)
    }

    KeyboardRow {
        Repeater { model: "1234567890".split(""); CharKey {} }
    }
    KeyboardRow {
        Repeater { model: "qwertyuiop".split(""); CharKey {} }
    }
    KeyboardRow {
        FillerKey { weight: 80 }
        Repeater { model: "asdfghjkl".split(""); CharKey {} }
        FillerKey { weight: 80 }
    }
    KeyboardRow {
        Key { key: Qt.Key_Minus; text: "-" }
        Repeater { model: "zxcvbnm".split(""); CharKey {} }
        Key { key: Qt.Key_Underscore; text: "_" }
        BackspaceKey { weight: 160 }
    }
    KeyboardRow {
        SymbolModeKey { weight: 240 }
        Key { key: Qt.Key_At; text: "@"; weight: 200 }
        Key { key: Qt.Key_Period; text: "."; weight: 200 }
        Key { key: Qt.Key_unknown; text: ".com"; weight: 280; noModifier: true }
        Key { key: Qt.Key_unknown; text: ".net"; weight: 280; noModifier: true }
        Key { key: Qt.Key_unknown; text: ".org"; weight: 280; noModifier: true }
        HideKeyboardKey { weight: 200 }
        EnterKey { weight: 240 }
    }
}
