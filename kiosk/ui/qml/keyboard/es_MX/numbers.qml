// Qt Virtual Keyboard's own layout (this folder replaces its layout path).
import QtQuick.VirtualKeyboard.Components

KeyboardLayoutLoader { source: "qrc:/qt-project.org/imports/QtQuick/VirtualKeyboard/Layouts/fallback/numbers.qml" }
