// The tab's script: follow Teams' theme, sign in with Teams SSO when the server asks, open Teams
// deep links through the host, and save the team tab's configuration. Pages work without it
// (outside Teams, in local mode) except the SSO sign-in itself.
"use strict";
(function () {
  const teams = window.microsoftTeams;
  const page = document.body.dataset.page;

  function setTheme(theme) {
    // Teams says "default", "dark" or "contrast"; the stylesheet has a palette for each.
    const known = ["default", "dark", "contrast"];
    document.documentElement.dataset.theme = known.includes(theme) ? theme : "default";
  }

  function say(id, text) {
    const status = document.getElementById(id);
    if (status) status.textContent = text;
  }

  async function signIn() {
    try {
      const token = await teams.authentication.getAuthToken();
      const answer = await fetch("/tab/session", {
        method: "POST",
        headers: { Authorization: "Bearer " + token },
        credentials: "same-origin",
      });
      if (answer.status === 204) {
        window.location.reload();
        return;
      }
      // 401 or 403: the server's page says why and whom to ask; show it in place.
      const html = await answer.text();
      const found = new DOMParser().parseFromString(html, "text/html").querySelector("main");
      if (found) document.getElementById("main").replaceChildren(...found.childNodes);
    } catch (error) {
      say("sso-status", "Teams could not sign you in (" + (error && error.message ? error.message : error) + "). Close the tab and open it again.");
    }
  }

  function configure() {
    teams.pages.config.registerOnSaveHandler(async (save) => {
      const chosen = document.querySelector("input[name=start]:checked").value;
      const url = window.location.origin + "/tab/" + chosen;
      await teams.pages.config.setConfig({
        entityId: "cqc-" + chosen,
        contentUrl: url,
        websiteUrl: url,
        suggestedDisplayName: "CQC plan",
      });
      save.notifySuccess();
    });
    teams.pages.config.setValidityState(true);
    say("config-status", "Ready: select Save to add the tab.");
  }

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-teams-link]");
    if (link && teams && teams.app.isInitialized && teams.app.isInitialized()) {
      event.preventDefault();
      teams.app.openLink(link.href);
    }
  });

  if (!teams) {
    if (page === "sso") say("sso-status", "Open this dashboard as a tab in Microsoft Teams to sign in.");
    if (page === "configure") say("config-status", "Open this page from Teams to add the tab.");
    return;
  }
  teams.app
    .initialize()
    .then(() => teams.app.getContext())
    .then((context) => {
      setTheme(context.app && context.app.theme);
      teams.app.registerOnThemeChangeHandler(setTheme);
      if (page === "sso") return signIn();
      if (page === "configure") return configure();
      return undefined;
    })
    .catch(() => {
      if (page === "sso") say("sso-status", "Open this dashboard as a tab in Microsoft Teams to sign in.");
    });
})();
