// The letters of Qt Virtual Keyboard's own layout, or the email layout for an email field.
import QtQuick
import QtQuick.VirtualKeyboard
import QtQuick.VirtualKeyboard.Components

KeyboardLayoutLoader {
    readonly property bool email: InputContext.inputMethodHints
                                  & (Qt.ImhEmailCharactersOnly | Qt.ImhUrlCharactersOnly)
    source: email ? Qt.resolvedUrl("../_shared/EmailLayout.qml")
                  : "qrc:/qt-project.org/imports/QtQuick/VirtualKeyboard/Layouts/fallback/main.qml"
}
