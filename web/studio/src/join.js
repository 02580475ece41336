// The page an invitation link opens (/studio/join/<code>): who invites whom, as what; accept
// by choosing a password (a new account), or signed in with the invited address.
import { ApiError, get, post } from "./api.js";
import { clear, errorBox, field, h } from "./dom.js";
import { formatDate } from "./format.js";
import { Problems } from "./formcheck.js";
import { language, t } from "./i18n.js";
import { state } from "./state.js";
import { enterOrganisation } from "./organisations.js";
import { readable } from "./ui.js";

// The server's password rule (server/auth/passwords.py, MIN_LENGTH); it checks again.
const PASSWORD_MIN = 10;

function newAccountForm(code, info) {
  const problems = new Problems();
  const name = h("input", { id: "join-name", name: "display_name", autocomplete: "name" });
  const password = h("input", { id: "join-password", type: "password", name: "password", autocomplete: "new-password" });
  const button = h("button", { class: "primary", type: "submit", id: "accept-invitation" }, t("joinAccept"));
  const form = h(
    "form",
    { class: "card", id: "join-form", novalidate: true },
    h("h2", {}, t("joinNewAccount")),
    field(t("email"), h("input", { id: "join-email", value: info.email, readonly: true, autocomplete: "username" })),
    problems.watch("display_name", field(t("joinName"), name, t("joinNameHint")), name, t("joinName")),
    problems.watch("password", field(t("joinPassword"), password, t("passwordRule", { min: PASSWORD_MIN })), password, t("joinPassword")),
    problems.summary,
    button,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.reset();
    if (password.value.length < PASSWORD_MIN) problems.add("password", t("passwordTooShort", { n: password.value.length }));
    if (problems.any) return problems.show();
    button.disabled = true;
    try {
      const joined = await post(`/v1/member-invitations/${encodeURIComponent(code)}/accept`, {
        password: password.value,
        display_name: name.value.trim(),
      });
      // The new account signs in at once (an HttpOnly cookie, as from the sign-in form).
      await post("/v1/auth/session", { email: info.email, password: password.value });
      enterOrganisation(joined.organisation);
    } catch (err) {
      problems.fromError(err);
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

async function acceptSignedIn(info, message) {
  // The link's code is not what the signed-in answer takes: find the same invitation by what it says.
  const mine = await get("/v1/me/invitations");
  const match = mine.find((i) => i.name === info.organisation && i.role === info.role);
  if (!match) throw new Error(t("joinNotFound"));
  const joined = await post(`/v1/me/invitations/${match.id}/accept`, undefined);
  clear(message);
  enterOrganisation(joined.organisation);
}

/** The join page; ``signIn()`` shows the sign-in form and comes back here afterwards. */
export async function renderJoin(target, code, signIn) {
  const page = h("div", { class: "page narrow", id: "join" });
  target.append(page);
  let info;
  try {
    info = await get(`/v1/member-invitations/${encodeURIComponent(code)}`);
  } catch (err) {
    const text = err instanceof ApiError && err.status === 404 ? t("joinUnknown") : readable(err);
    page.append(h("h1", {}, t("joinTitle")), errorBox([text]));
    return;
  }
  const message = h("div", { id: "join-message" });
  page.append(
    h("h1", {}, t("joinTitle")),
    h(
      "p",
      { class: "lead", id: "join-lead" },
      t("joinLead", { organisation: info.organisation, email: info.email, role: t(`role_${info.role}`) }),
    ),
    h("p", { class: "hint" }, t("joinExpires", { when: formatDate(info.expires_at) })),
    message,
  );
  if (state.me) {
    if (state.me.email !== info.email) {
      page.append(h("p", { class: "alert warning" }, t("joinOtherAccount", { email: info.email, me: state.me.email })));
      return;
    }
    const button = h("button", { class: "primary", type: "button", id: "accept-invitation" }, t("joinAccept"));
    button.addEventListener("click", () => acceptSignedIn(info, message).catch((err) => clear(message).append(errorBox([readable(err)]))));
    page.append(button);
    return;
  }
  page.append(
    newAccountForm(code, info),
    h(
      "p",
      { class: "card" },
      t("joinHaveAccount"),
      " ",
      h("button", { type: "button", class: "link", id: "join-sign-in", onclick: signIn }, t("signIn")),
    ),
  );
}

/** Invitations to the signed-in person's address, each with a button that accepts it. */
export async function myInvitations() {
  const waiting = await get("/v1/me/invitations").catch(() => []);
  if (!waiting.length) return null;
  const message = h("div");
  const accept = async (invitation) => {
    clear(message);
    try {
      const joined = await post(`/v1/me/invitations/${invitation.id}/accept`, undefined);
      enterOrganisation(joined.organisation);
    } catch (err) {
      message.append(errorBox([readable(err)]));
    }
  };
  return h(
    "section",
    { class: "card", id: "my-invitations", "aria-labelledby": "my-invitations-title" },
    h("h2", { id: "my-invitations-title" }, t("myInvitations")),
    h(
      "ul",
      {},
      waiting.map((i) =>
        h(
          "li",
          {},
          t("myInvitationLine", { organisation: i.name, role: t(`role_${i.role}`) }),
          " ",
          h("button", { type: "button", class: "primary", "aria-label": t("joinWhich", { organisation: i.name }), onclick: () => accept(i) }, t("joinAccept")),
        ),
      ),
    ),
    message,
  );
}
