// Text for campaign and signer content: always plain text (never HTML), wrapped.
import QtQuick
import Kiosk

Text {
    textFormat: Text.PlainText
    wrapMode: Text.Wrap
    color: Theme.color.text
    font.pixelSize: Theme.size.body
    lineHeight: 1.2
}
