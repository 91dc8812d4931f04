// Every text the patient sees, in one place (French).

export const DISCLAIMER =
  "Je suis un assistant automatique : je donne des informations générales et je ne remplace pas " +
  "l'avis de votre médecin. En cas d'urgence, appelez le 15.";

export function privacyText(retentionDays) {
  return (
    `Vos messages sont conservés ${retentionDays} jours par le centre, pour vous répondre et ` +
    "améliorer l'assistant, puis effacés. Pendant votre visite, la conversation est aussi gardée " +
    "dans ce navigateur, jusqu'à la fermeture de l'onglet ou jusqu'à ce que vous cliquiez sur " +
    "« Recommencer ». N'indiquez pas votre nom, numéro de sécurité sociale ou autres données d'identité."
  );
}

export function offlineText(phone) {
  return (
    "Le service de discussion est momentanément indisponible. Nouvelle tentative automatique en cours… " +
    `Vous pouvez joindre le centre au ${phone}. En cas d'urgence, appelez le 15.`
  );
}

export function unansweredText(phone) {
  return `L'assistant n'a pas répondu. Reformulez votre question, ou appelez le centre au ${phone}.`;
}

export const T = {
  defaultTitle: "Assistant vertébroplastie",
  launcher: "Une question ?",
  welcome: "Bonjour.",
  privacyLink: "En savoir plus sur vos données (nouvel onglet)",
  inputLabel: "Votre message",
  inputPlaceholder: "Écrivez votre question ici…",
  send: "Envoyer",
  close: "Fermer",
  closeLabel: "Fermer la discussion",
  smaller: "A−",
  smallerLabel: "réduire la taille du texte",
  larger: "A+",
  largerLabel: "agrandir la taille du texte",
  textSize: "Taille du texte",
  restart: "Recommencer",
  restartLabel: "Effacer la conversation et recommencer",
  restartConfirm: "Effacer cette conversation et recommencer ?",
  restartYes: "Oui, recommencer",
  restartNo: "Annuler",
  restarted: "Nouvelle conversation.",
  you: "Vous",
  bot: "Assistant",
  typing: "L'assistant écrit…",
  failed: "Message non envoyé.",
  retry: "Réessayer",
  sending: "Envoi…",
  urgent: "Urgence",
  reconnected: "La connexion est rétablie.",
  suggestionsLabel: "Réponses proposées",
  toolbarLabel: "Réglages de la discussion",
  logLabel: "Messages de la discussion",
  feedbackQuestion: "Cette réponse vous a aidé ?",
  feedbackYes: "Oui",
  feedbackNo: "Non",
  feedbackMissing: "Qu'est-ce qui manquait ? (facultatif)",
  feedbackSend: "Envoyer la remarque",
  feedbackClose: "Fermer",
  feedbackThanks: "Merci pour votre avis.",
  feedbackFailed: "Votre avis n'a pas pu être envoyé. Réessayez plus tard.",
  listen: "Écouter",
  listenLabel: "cette réponse",
  listenStop: "Arrêter la lecture",
};

// Under the "Qu'est-ce qui manquait ?" box: a comment is read by the team later, not answered now.
export const FEEDBACK_HINT =
  "N'indiquez pas votre nom ni d'autres données d'identité. Pour une question, écrivez-la plutôt " +
  "dans la zone de message. En cas d'urgence, appelez le 15.";

// Questions offered before the first message; sent as plain text.
export const STARTERS = [
  "Comment se déroule l'intervention ?",
  "Dois-je être à jeun ?",
  "Comment contacter le centre ?",
];
