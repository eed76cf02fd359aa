// One signer's screens. The whole session is rebuilt for every signer (see SignerFlow.wipe):
// text fields lose their undo history and the pad its drawing.
import QtQuick
import Kiosk

Item {
    id: session
    objectName: "session"
    required property var app
    required property var pad
    readonly property string step: app.flow.step
    // Where the shared signature pad sits while the signing screen is up.
    readonly property Item padSlot: padPage.padSlot
    // The screen showing now (Main.qml hands it the scrolling keys when nothing has the focus).
    readonly property FadePage shownPage: step === "petition" ? petitionPage
                                        : step === "form" ? formPage
                                        : step === "local" ? localPage
                                        : step === "pad" ? padPage
                                        : step === "thanks" ? thanksPage
                                        : step === "duplicate" ? duplicatePage : null

    PetitionPage { id: petitionPage; anchors.fill: parent; app: session.app; shown: session.step === "petition" }
    FormPage { id: formPage; anchors.fill: parent; app: session.app; shown: session.step === "form" }
    LocalPage { id: localPage; anchors.fill: parent; app: session.app; shown: session.step === "local" }
    PadPage { id: padPage; anchors.fill: parent; app: session.app; pad: session.pad
              shown: session.step === "pad" }
    ThanksPage { id: thanksPage; anchors.fill: parent; app: session.app; shown: session.step === "thanks" }
    DuplicatePage { id: duplicatePage; anchors.fill: parent; app: session.app; shown: session.step === "duplicate" }
}
