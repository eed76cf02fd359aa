// English / Español: each language named in itself; the current one is highlighted.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic
import Kiosk

Rectangle {
    id: root
    required property var app
    readonly property bool spanish: app.i18n.language === "es"
    implicitWidth: en.width + es.width + 8
    implicitHeight: Theme.touch
    radius: 14
    color: Theme.color.surface
    border.width: 2
    border.color: Theme.color.primary
    Accessible.role: Accessible.Grouping
    Accessible.name: qsTr("Language")

    component Choice: Button {
        id: b
        property string code
        readonly property bool selected: root.app.i18n.language === code
        objectName: "lang." + code
        focusPolicy: Qt.TabFocus
        Keys.onReturnPressed: b.clicked()
        Keys.onEnterPressed: b.clicked()
        y: 4
        height: root.height - 8
        width: Math.max(128, implicitContentWidth + 36)
        Accessible.name: text
        Accessible.role: Accessible.RadioButton
        Accessible.checkable: true
        Accessible.checked: selected
        // Qt Quick's Button writes its own (false) checkable and checked over these when
        // accessibility turns on (see KCheck.qml): put them back.
        Accessible.onCheckableChanged: {
            if (!b.Accessible.checkable) {
                b.Accessible.checkable = true
                b.Accessible.checked = Qt.binding(() => b.selected)
            }
        }
        onClicked: root.app.i18n.setLanguage(code)
        contentItem: Text {
            text: b.text
            font.pixelSize: Theme.size.small + 2
            font.weight: Font.DemiBold
            font.underline: b.selected  // the current language, not by colour alone
            horizontalAlignment: Text.AlignHCenter
            verticalAlignment: Text.AlignVCenter
            color: b.selected ? Theme.color.onPrimary : Theme.color.primary
        }
        background: Item { FocusRing { target: b } }
    }

    Rectangle {
        // The highlight slides under the current language.
        x: root.spanish ? es.x : en.x
        y: 4
        width: root.spanish ? es.width : en.width
        height: parent.height - 8
        radius: 10
        color: Theme.color.primary
        Behavior on x { NumberAnimation { duration: 120 } }
    }
    Choice { id: en; code: "en"; text: "English"; x: 4 }
    Choice { id: es; code: "es"; text: "Español"; x: en.x + en.width }
}
