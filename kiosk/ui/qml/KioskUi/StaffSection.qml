// A titled section of a staff-mode screen.
import QtQuick
import QtQuick.Layouts
import Kiosk

ColumnLayout {
    id: root
    property string title
    default property alias content: body.data
    spacing: 14
    Text {
        Layout.fillWidth: true
        wrapMode: Text.Wrap
        text: root.title
        font.pixelSize: Theme.size.heading
        font.weight: Font.Bold
        color: Theme.color.text
    }
    ColumnLayout {
        id: body
        Layout.fillWidth: true
        spacing: 12
    }
}
