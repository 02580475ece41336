// Members (owners): who is in the organisation with which role, inviting by a link to pass on,
// changing a role, removing someone. The server keeps the rules (one owner at least).
import { ApiError, all, call, patch, post } from "./api.js";
import { clear, errorBox, field, h, select, toast } from "./dom.js";
import { Problems } from "./formcheck.js";
import { t } from "./i18n.js";
import { orgPath, state } from "./state.js";
import { readable } from "./ui.js";

const ROLES = ["owner", "editor", "contributor"];
const roleOptions = () => ROLES.map((r) => [r, t(`role_${r}`)]);

/** The link just made, shown this once, with a button that copies it. */
function linkPanel(made) {
  const url = h("input", { id: "member-invitation-url", readonly: true, value: made.url, class: "mono" });
  const copied = h("span", { class: "hint", "aria-live": "polite" });
  const copy = h("button", { type: "button", class: "quiet", id: "copy-member-link" }, t("copyLink"));
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(url.value);
    } catch {
      // Without clipboard access the text is selected, ready for Ctrl+C.
      url.select();
    }
    copied.textContent = t("linkCopied");
  });
  return h(
    "div",
    { class: "alert ok", id: "member-invitation", role: "status", dataset: { id: String(made.id) } },
    h("p", {}, t("memberInvited", { email: made.email, role: t(`role_${made.role}`) })),
    field(t("memberInvitationLink"), url, t("memberInvitationHint")),
    h("div", { class: "row tight" }, copy, copied),
  );
}

function inviteForm(onInvited) {
  const problems = new Problems();
  const email = h("input", { id: "invite-email", type: "email", name: "email", autocomplete: "off" });
  const role = select(roleOptions(), "editor", { id: "invite-role", name: "role" });
  const result = h("div");
  const button = h("button", { class: "primary", type: "submit", id: "invite-member" }, t("inviteMember"));
  const form = h(
    "form",
    { class: "card", id: "invite-form", novalidate: true },
    h("h2", {}, t("inviteTitle")),
    h("p", { class: "hint" }, t("inviteLead")),
    problems.watch("email", field(t("email"), email), email, t("email")),
    problems.watch("role", field(t("memberRole"), role), role, t("memberRole")),
    problems.summary,
    button,
    result,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problems.reset();
    clear(result);
    const address = email.value.trim();
    if (!/^[^@\s]+@[^@\s]+$/.test(address)) problems.add("email", t("emailShape"));
    if (problems.any) return problems.show();
    button.disabled = true;
    try {
      const made = await post(orgPath("/members"), { email: address, role: role.value });
      result.append(linkPanel(made));
      email.value = "";
      onInvited();
    } catch (err) {
      // Conflict here means the address is a member already: it belongs to the address field.
      if (err instanceof ApiError && err.status === 409) {
        problems.add("email", err.message);
        problems.show();
      } else problems.fromError(err, (name, e) => (name === "email" ? t("emailShape") : e.message));
    } finally {
      button.disabled = false;
    }
  });
  return form;
}

function memberRow(member, redraw) {
  const message = h("div", { class: "row-problem", id: `member-${member.user_id}-problem` });
  const role = select(roleOptions(), member.role, { "aria-label": t("roleOf", { who: member.email }), class: "member-role" });
  const fail = (err) => clear(message).append(errorBox([readable(err)]));
  role.addEventListener("change", async () => {
    clear(message);
    try {
      await patch(orgPath(`/members/${member.user_id}`), { role: role.value }, member.etag);
      toast(t("roleChanged", { who: member.email, role: t(`role_${role.value}`) }));
      await redraw();
    } catch (err) {
      role.value = member.role; // the server said no: show what is true
      fail(err);
    }
  });
  const remove = h("button", { type: "button", class: "quiet danger", "aria-label": t("removeWho", { who: member.email }) }, t("removeMember"));
  remove.addEventListener("click", async () => {
    clear(message);
    if (!window.confirm(t("removeConfirm", { who: member.email }))) return;
    try {
      await call("DELETE", orgPath(`/members/${member.user_id}`), { etag: member.etag });
      toast(t("memberRemoved", { who: member.email }));
      await redraw();
    } catch (err) {
      fail(err);
    }
  });
  const you = member.user_id === state.me.id ? h("span", { class: "badge" }, t("you")) : null;
  return [
    h(
      "tr",
      { dataset: { email: member.email } },
      h("th", { scope: "row" }, member.display_name || member.email, " ", you, member.display_name ? h("span", { class: "member-email" }, member.email) : null),
      h("td", {}, role),
      h("td", { class: "row-actions" }, remove),
    ),
    // A refusal (the last owner) shows right under the member it concerns.
    h("tr", { class: "member-problem", dataset: { problemFor: member.email } }, h("td", { colspan: 3 }, message)),
  ];
}

/** One invitation still waiting, with the button that withdraws it (the link stops working). */
function pendingItem(invitation, redraw) {
  const message = h("div", { class: "row-problem" });
  const withdraw = h("button", { type: "button", class: "quiet danger", "aria-label": t("withdrawInviteWho", { who: invitation.email }) }, t("withdrawInvite"));
  withdraw.addEventListener("click", async () => {
    clear(message);
    if (!window.confirm(t("withdrawInviteConfirm", { who: invitation.email }))) return;
    try {
      await post(orgPath(`/member-invitations/${invitation.id}/revoke`), undefined);
      toast(t("inviteWithdrawn", { who: invitation.email }));
      // Its link, if still shown above, must not be passed on any more.
      document.querySelector(`#member-invitation[data-id="${invitation.id}"]`)?.remove();
      await redraw();
    } catch (err) {
      clear(message).append(errorBox([readable(err)]));
    }
  });
  return h("li", { dataset: { email: invitation.email } }, `${invitation.email} · ${t(`role_${invitation.role}`)} `, withdraw, message);
}

function pendingList(invitations, redraw) {
  const waiting = invitations.filter((i) => i.state === "pending");
  if (!waiting.length) return null;
  return h(
    "section",
    { class: "card", id: "pending-invitations", "aria-labelledby": "pending-title" },
    h("h2", { id: "pending-title" }, t("pendingInvitations")),
    h("ul", {}, waiting.map((i) => pendingItem(i, redraw))),
  );
}

/** The members page (owners; others see why they cannot manage members). */
export async function renderMembers(target) {
  if (!state.org) return;
  const org = (state.orgs ?? []).find((o) => o.slug === state.org);
  if (org?.role !== "owner") {
    target.append(h("div", { class: "page" }, h("h1", {}, t("members")), h("p", {}, t("membersOwnersOnly"))));
    return;
  }
  const list = h("section", { class: "card", id: "members", "aria-labelledby": "members-title" });
  const pending = h("div");
  const redraw = async () => {
    const [members, invitations] = await Promise.all([all(orgPath("/members")), all(orgPath("/member-invitations"))]);
    clear(list).append(
      h("h2", { id: "members-title" }, t("membersOf", { name: org.name })),
      h(
        "table",
        { class: "members" },
        h("thead", {}, h("tr", {}, [t("member"), t("memberRole"), ""].map((x) => h("th", { scope: "col" }, x)))),
        h("tbody", {}, members.flatMap((m) => memberRow(m, redraw))),
      ),
    );
    clear(pending).append(pendingList(invitations, redraw) ?? "");
  };
  target.append(
    h(
      "div",
      { class: "page two-col" },
      h("div", {}, h("h1", {}, t("members")), list, pending),
      h("aside", {}, inviteForm(() => redraw().catch((err) => list.append(errorBox([readable(err)]))))),
    ),
  );
  await redraw();
}
