// The petition: target, title, statement, why it matters, dated updates; finger-scrollable.
pragma ComponentBehavior: Bound
import QtQuick
import QtQuick.Controls.Basic
import QtQuick.Layouts
import Kiosk

FadePage {
    id: page
    scrollArea: flick
    objectName: "petition.page"
    required property var app
    readonly property var p: app.flow.petition
    // Spoken in full in speech mode: the target, the title, the statement and why it matters.
    speech: page.app.speech
    spokenTitle: (page.p.isLetter ? qsTr("Letter") : qsTr("Petition")) + ". "
                 + (page.p.target || "") + ". " + (page.p.title || "")
    spokenText: (page.p.statement || []).join(" ") + " " + (page.p.background || []).join(" ")
                + " " + qsTr("To sign, press Tab until you hear %1, then press Enter.")
                        .arg(page.p.isLetter ? qsTr("Sign this letter") : qsTr("Sign this petition"))

    TopBar { id: bar; app: page.app; caption: page.p.organization || ""
             anchors { left: parent.left; right: parent.right; top: parent.top } }

    KScroll {
        id: flick
        tabStop: true
        objectName: "petition.scroll"
        anchors { top: bar.bottom; bottom: actions.top; left: parent.left; right: parent.right }
        contentWidth: width
        contentHeight: col.implicitHeight + 80
        clip: true
        boundsBehavior: Flickable.StopAtBounds
        flickDeceleration: 2500
        ScrollBar.vertical: ScrollBar { policy: ScrollBar.AlwaysOn; width: 14 }

        ColumnLayout {
            id: col
            x: (flick.width - width) / 2
            y: 40
            width: Math.min(flick.width - 120, 920)
            spacing: 22

            KText {
                objectName: "petition.target"
                Layout.fillWidth: true
                text: page.p.target || ""
                font.pixelSize: Theme.size.heading
                font.weight: Font.DemiBold
                color: Theme.color.textMuted
            }
            KText {
                objectName: "petition.title"
                Layout.fillWidth: true
                text: page.p.title || ""
                font.pixelSize: Theme.size.title
                font.weight: Font.Bold
                lineHeight: 1.1
            }
            ProgressBlock {
                Layout.fillWidth: true
                Layout.maximumWidth: 560
                compact: true
                info: page.p
            }

            // A letter: the words signers put their name to stand apart from the background.
            Rectangle {
                objectName: "petition.letterStatement"
                visible: page.p.isLetter === true
                Layout.fillWidth: true
                Layout.topMargin: 10
                implicitHeight: quote.implicitHeight + 56
                radius: 14
                color: Theme.color.quote
                Rectangle { width: 8; height: parent.height; radius: 4; color: Theme.color.quoteBar }
                ColumnLayout {
                    id: quote
                    anchors { left: parent.left; right: parent.right; top: parent.top
                              leftMargin: 40; rightMargin: 32; topMargin: 28 }
                    spacing: 14
                    KText {
                        Layout.fillWidth: true
                        lineHeight: 1.0
                        text: qsTr("The letter you are signing")
                        font.pixelSize: Theme.size.small
                        font.weight: Font.Bold
                        font.capitalization: Font.AllUppercase
                        font.letterSpacing: 1
                        color: Theme.color.text
                    }
                    Paragraphs {
                        Layout.fillWidth: true
                        paragraphs: page.p.isLetter ? page.p.statement : []
                        pixelSize: Theme.size.heading
                        paragraphName: "petition.statement"
                    }
                }
            }

            Paragraphs {
                visible: page.p.isLetter !== true
                Layout.fillWidth: true
                Layout.topMargin: 6
                paragraphs: page.p.isLetter ? [] : (page.p.statement || [])
                pixelSize: Theme.size.body + 3
                paragraphName: "petition.statement"
            }

            KText {
                Layout.fillWidth: true
                lineHeight: 1.0
                visible: (page.p.background || []).length > 0
                Layout.topMargin: 18
                text: page.p.isLetter ? qsTr("About this letter") : qsTr("Why is this important?")
                font.pixelSize: Theme.size.heading
                font.weight: Font.Bold
                color: Theme.color.text
            }
            Paragraphs {
                Layout.fillWidth: true
                paragraphs: page.p.background || []
                paragraphName: "petition.background"
            }

            KText {
                Layout.fillWidth: true
                lineHeight: 1.0
                visible: (page.p.updates || []).length > 0
                Layout.topMargin: 18
                text: qsTr("Updates")
                font.pixelSize: Theme.size.heading
                font.weight: Font.Bold
                color: Theme.color.text
            }
            Repeater {
                model: page.p.updates || []
                ColumnLayout {
                    id: update
                    required property var modelData
                    Layout.fillWidth: true
                    spacing: 10
                    KText {
                        Layout.fillWidth: true
                        lineHeight: 1.0
                        text: qsTr("Update, %1").arg(update.modelData.date)
                        font.pixelSize: Theme.size.small + 1
                        font.weight: Font.Bold
                        color: Theme.color.accent
                    }
                    Paragraphs { Layout.fillWidth: true; paragraphs: update.modelData.paragraphs }
                }
            }
        }
    }

    // A soft fade above the bar says "there is more below".
    Rectangle {
        anchors { left: parent.left; right: parent.right; bottom: actions.top }
        height: 48
        visible: !flick.atYEnd
        gradient: Gradient {
            GradientStop { position: 0; color: "#00F5F3EE" }
            GradientStop { position: 1; color: Theme.color.background }
        }
    }

    ActionBar {
        id: actions
        anchors { left: parent.left; right: parent.right; bottom: parent.bottom }
        leftContent: KButton {
            objectName: "petition.back"
            kind: "secondary"
            text: qsTr("Back")
            onClicked: page.app.flow.back()
        }
        KButton {
            objectName: "petition.continueButton"
            text: page.p.isLetter ? qsTr("Sign this letter") : qsTr("Sign this petition")
            onClicked: page.app.flow.toForm()
        }
    }
}
