// The council's page: loads server-rendered fragments and records decisions through /api/v1/,
// always with the member's token (kept in sessionStorage, so only until the tab is closed).
"use strict";

const TOKEN_KEY = "mentor-match-token";
const RUN_POLL_MS = 700;
const view = document.getElementById("view");
const signin = document.getElementById("signin");
const signout = document.getElementById("signout");

function say(text) {
  document.getElementById("status").textContent = text;
}

async function request(path, options = {}) {
  const headers = {Authorization: "Bearer " + (sessionStorage.getItem(TOKEN_KEY) || "")};
  if (options.json !== undefined) {
    headers["Content-Type"] = "application/json";
    options = {...options, body: JSON.stringify(options.json)};
  }
  const response = await fetch(path, {...options, headers});
  if (response.status === 401) {
    showSignin("Ключ доступа не распознан: войдите снова.");
    throw new Error("Нужно войти");
  }
  return response;
}

async function detail(response) {
  const body = await response.json().catch(() => ({}));
  if (typeof body.detail === "string") return body.detail;
  if (Array.isArray(body.detail)) return body.detail.map((p) => p.message || p.msg).join("; ");
  return "ошибка " + response.status;
}

async function fragment(path) {
  const response = await request(path);
  if (!response.ok) throw new Error(await detail(response));
  return response.text();
}

function showSignin(message) {
  sessionStorage.removeItem(TOKEN_KEY);
  view.innerHTML = "";
  signin.hidden = false;
  signout.hidden = true;
  say(message || "");
  document.getElementById("token").focus();
}

async function showRuns() {
  view.innerHTML = await fragment("/council/fragments/runs");
  signin.hidden = true;
  signout.hidden = false;
  document.getElementById("runs-title").focus();
}

async function openRun(runId) {
  view.innerHTML = await fragment(`/council/fragments/runs/${runId}`);
  document.getElementById("run-title").focus();
  await loadResults();
}

function filterQuery(form) {
  const query = new URLSearchParams();
  for (const [key, value] of new FormData(form)) {
    if (key !== "view" && value !== "") query.set(key, value);
  }
  return query;
}

async function loadResults() {
  const form = document.getElementById("filters");
  const unmatched = form.elements.view.value === "unmatched";
  for (const name of ["status", "weight_sensitive"]) form.elements[name].disabled = unmatched;
  const kind = unmatched ? "unmatched" : "proposals";
  const results = document.getElementById("results");
  results.innerHTML = await fragment(`/council/fragments/runs/${form.dataset.run}/${kind}?${filterQuery(form)}`);
  say("");
}

async function refreshCard(card, seen) {
  const query = seen ? `?seen=${seen}` : "";
  const holder = document.createElement("div");
  holder.innerHTML = await fragment(`/council/fragments/proposals/${card.dataset.id}${query}`);
  const fresh = holder.firstElementChild;
  for (const time of fresh.querySelectorAll("time[datetime]")) {
    time.textContent = new Date(time.dateTime).toLocaleTimeString("ru-RU", {hour: "2-digit", minute: "2-digit"});
  }
  card.replaceWith(fresh);
  const conflict = fresh.querySelector(".conflict");
  if (conflict) conflict.focus();
  return fresh;
}

// A write on a proposal: the new state on success, the conflict view on a stale version.
async function write(card, path, body, done) {
  const seen = card.dataset.version;
  const response = await request(path, {method: "POST", json: {...body, version: Number(seen)}});
  if (response.status === 409) {
    await refreshCard(card, seen);
    say("Пару уже изменили: показано её текущее состояние.");
    return;
  }
  if (!response.ok) {
    card.querySelector(".message").textContent = await detail(response);
    return;
  }
  await done();
}

async function decide(card, decision, comment = "") {
  await write(card, `/api/v1/proposals/${card.dataset.id}/decision`, {decision, comment}, async () => {
    const fresh = await refreshCard(card);
    fresh.querySelector(".message").textContent = "Решение записано: " + fresh.querySelector(".badge").textContent;
  });
}

async function consent(card, party, agree) {
  await write(card, `/api/v1/proposals/${card.dataset.id}/consent`, {party, agree}, async () => {
    const fresh = await refreshCard(card);
    fresh.querySelector(".message").textContent = "Согласие записано";
  });
}

async function swap(card, mentorId) {
  const comment = "замена на альтернативного наставника";
  await write(card, `/api/v1/proposals/${card.dataset.id}/swap`, {mentor_id: mentorId, comment}, async () => {
    await loadResults();
    say("Пара отклонена, альтернативный наставник закреплён.");
  });
}

async function toggleAlternatives(card, button) {
  const slot = card.querySelector(".alternatives");
  const open = button.getAttribute("aria-expanded") === "true";
  if (!open) slot.innerHTML = await fragment(`/council/fragments/proposals/${card.dataset.id}/alternatives`);
  slot.hidden = open;
  button.setAttribute("aria-expanded", String(!open));
}

async function rerun(button) {
  const body = {scope: button.dataset.scope, based_on: Number(button.dataset.rerun)};
  if (button.dataset.institution) body.institution = button.dataset.institution;
  const response = await request("/api/v1/runs", {method: "POST", json: body});
  if (!response.ok) throw new Error(await detail(response));
  const {id} = await response.json();
  button.disabled = true;
  try {
    for (;;) {
      const run = await (await request(`/api/v1/runs/${id}`)).json();
      if (run.status === "failed") throw new Error(run.error || "Подбор не удался");
      if (run.status === "done") break;
      say(`Идёт подбор № ${id}: ${Math.round(run.progress * 100)} %`);
      await new Promise((resolve) => setTimeout(resolve, RUN_POLL_MS));
    }
  } finally {
    button.disabled = false;
  }
  await openRun(id);
  say(`Подбор № ${id} готов.`);
}

async function download(button) {
  const response = await request(button.dataset.download);
  if (!response.ok) throw new Error(await detail(response));
  const link = document.createElement("a");
  link.href = URL.createObjectURL(await response.blob());
  link.download = button.dataset.filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  say("Файл скачан: " + button.dataset.filename);
}

async function onClick(event) {
  const button = event.target.closest("button");
  if (!button || button.type === "submit") return;
  const card = button.closest("article.card");
  const data = button.dataset;
  if ("signout" in data) showSignin("Вы вышли.");
  else if ("openRun" in data) await openRun(data.openRun);
  else if ("back" in data) await showRuns();
  else if ("offset" in data) {
    document.getElementById("filters").elements.offset.value = data.offset;
    await loadResults();
    document.getElementById("results-title").focus();
  } else if ("decide" in data) await decide(card, data.decide);
  else if ("openReject" in data) {
    const form = card.querySelector("form.reject");
    form.hidden = false;
    form.elements.comment.focus();
  } else if ("cancelReject" in data) button.closest("form").hidden = true;
  else if ("consent" in data) await consent(card, data.consent, data.agree === "true");
  else if ("alternatives" in data) await toggleAlternatives(card, button);
  else if ("swap" in data) await swap(card, data.swap);
  else if ("rerun" in data) await rerun(button);
  else if ("download" in data) await download(button);
}

async function onSubmit(event) {
  event.preventDefault();
  const form = event.target;
  if (form === signin) {
    sessionStorage.setItem(TOKEN_KEY, form.elements.token.value.trim());
    form.reset();
    await showRuns();
    say("");
  } else if (form.id === "filters") {
    form.elements.offset.value = 0;
    await loadResults();
  } else if (form.classList.contains("reject")) {
    const comment = form.elements.comment.value.trim();
    if (!comment) {
      form.elements.comment.focus();
      say("Укажите причину отклонения.");
      return;
    }
    await decide(form.closest("article.card"), "reject", comment);
  }
}

function guarded(handler) {
  return (event) => handler(event).catch((error) => say(error.message));
}

document.addEventListener("click", guarded(onClick));
document.addEventListener("submit", guarded(onSubmit));
document.addEventListener("change", guarded(async (event) => {
  const form = event.target.form;
  if (form && form.id === "filters" && event.target.name !== "name") {
    form.elements.offset.value = 0;
    await loadResults();
  }
}));

if (sessionStorage.getItem(TOKEN_KEY)) {
  showRuns().catch((error) => say(error.message));
} else {
  signin.hidden = false;
}
