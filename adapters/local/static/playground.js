"use strict";
// The playground page: pick a group and a persona, chat, and watch what the assistant does.

const $ = (id) => document.getElementById(id);
const state = { chat: null, persona: null, personas: [], replyTo: null, streams: {}, last: {},
                byId: {} };

const ACTION_LABELS = {
  member_joined: "Se unió al grupo",
  member_left: "Salió del grupo",
  member_removed: "Fue sacado del grupo",
  member_promoted: "Ahora es administrador",
  member_demoted: "Ya no es administrador",
  ban_enforced: "Sacado otra vez: está en la lista de expulsados de la comunidad",
  command_refused: "Comando rechazado: no tiene permiso",
  join_requested: "Pidió unirse",
  channel_status: "Estado del canal",
  member_unapproved: "Entró sin una solicitud de registro aprobada (se avisó a Gobierno Digital)",
  member_added: "Fue agregado al grupo",
  member_accepted: "Aceptado en el padrón",
  member_role_set: "Cambio de papel en el grupo",
  official_admin_planned: "Se pidió hacerlo administrador (es funcionario)",
  ticket_opened: "Reporte registrado con folio",
  ticket_linked: "Reporte unido a un folio abierto",
  ticket_status: "Cambio de estado de un reporte",
  ticket_command_refused: "Comando de reportes rechazado",
  "moderation.review": "Enviado a revisión de los administradores",
  "moderation.undo": "Sanción deshecha",
  "moderation.readmit": "Readmitido en la comunidad",
  "moderation.pardon": "Advertencias borradas",
  "moderation.dry_run": "Modo de prueba",
  "moderation.dismissed": "Caso descartado",
  "moderation.confirmed": "Caso confirmado: se aplicó la regla",
  registration_approved: "Registro aprobado",
  admission_planned: "Alta en el grupo en curso",
  ban_recorded: "Agregado a la lista de bajas",
  ban_lifted: "Baja levantada",
  appeal_filed: "Apelación recibida",
  appeal_decided: "Apelación resuelta",
  bot_not_admin: "El asistente no es administrador del grupo",
  bot_admin_restored: "El asistente volvió a ser administrador",
  registration_duplicate: "Solicitud repetida para un número que ya tiene una en revisión",
  "moderation.confirmed": "Caso confirmado por un administrador",
};

function newId() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
  return String(Date.now()) + Math.random().toString(16).slice(2);
}

async function api(path, options) {
  const response = await fetch(path, options);
  let body = {};
  try { body = await response.json(); } catch (e) { body = {}; }
  if (!response.ok) {
    const error = new Error(body.error || "Algo salió mal (" + response.status + ").");
    error.status = response.status;
    throw error;
  }
  return body;
}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function systemLine(entry) {
  const names = { joined: "se unió al grupo", added: "fue agregado al grupo",
                  removed: "fue expulsado del grupo", left: "salió del grupo",
                  admin: entry.data && entry.data.admin ? "ahora es administrador"
                                                        : "ya no es administrador" };
  const line = el("div", "system" + (entry.kind === "removed" ? " removed" : ""),
                  entry.author_name + " " + (names[entry.kind] || entry.kind));
  line.dataset.kind = entry.kind;
  return line;
}

function bubble(entry, box) {
  const mine = entry.author_id === state.persona;
  const node = el("div", "msg" + (entry.is_bot ? " bot" : "") + (mine ? " mine" : ""));
  node.dataset.messageId = entry.message_id;
  node.dataset.author = entry.author_id;
  node.appendChild(el("span", "who", entry.is_bot ? "🤖 " + entry.author_name : entry.author_name));
  if (entry.reply_to && state.byId[entry.reply_to]) {
    const quoted = state.byId[entry.reply_to];
    node.appendChild(el("div", "quote", quoted.author_name + ": " + quoted.text.slice(0, 80)));
  }
  node.appendChild(el("span", "body", entry.text));
  if (!entry.is_bot && box === $("log")) {
    const reply = el("button", "link", " Responder");
    reply.type = "button";
    reply.addEventListener("click", () => startReply(entry));
    node.appendChild(reply);
  }
  if (entry.data && entry.data.deleted) markDeleted(node);
  return node;
}

function markDeleted(node) {
  if (!node || node.classList.contains("deleted")) return;
  node.classList.add("deleted");
  const body = node.querySelector(".body");
  const original = body.textContent;
  body.textContent = "🚫 Mensaje eliminado por el asistente";
  const details = el("details");
  details.appendChild(el("summary", "", "ver texto original"));
  details.appendChild(el("span", "", original));
  node.appendChild(details);
}

function render(box, entries) {
  for (const entry of entries) {
    if (entry.kind === "message") {
      state.byId[entry.message_id] = entry;
      box.appendChild(bubble(entry, box));
    } else if (entry.kind === "deleted") {
      markDeleted(box.querySelector('[data-message-id="' + entry.message_id + '"]'));
    } else {
      box.appendChild(systemLine(entry));
    }
  }
  box.scrollTop = box.scrollHeight;
}

function connect(chatId, box) {
  if (state.streams[chatId]) state.streams[chatId].close();
  const after = state.last[chatId] || 0;
  const source = new EventSource("/playground/api/chats/" + encodeURIComponent(chatId) +
                                 "/stream?after=" + after);
  source.addEventListener("entries", (event) => {
    const entries = JSON.parse(event.data);
    if (!entries.length) return;
    state.last[chatId] = entries[entries.length - 1].seq;
    render(box, entries);
    if (box === $("log")) { refreshSide(); }
  });
  source.onerror = () => {
    source.close();
    if (state.streams[chatId] === source) {
      setTimeout(() => { if (state.streams[chatId] === source) connect(chatId, box); }, 800);
    }
  };
  state.streams[chatId] = source;
}

function openChats() {
  for (const id of Object.keys(state.streams)) state.streams[id].close();
  state.streams = {}; state.last = {}; state.byId = {};
  $("log").textContent = ""; $("dm").textContent = "";
  connect(state.chat, $("log"));
  connect("dm-" + state.persona, $("dm"));
  refreshSide();
}

async function refreshSide() {
  try {
    const [members, audit] = await Promise.all([
      api("/playground/api/chats/" + encodeURIComponent(state.chat) + "/members"),
      api("/playground/api/chats/" + encodeURIComponent(state.chat) + "/audit"),
    ]);
    const list = $("members"); list.textContent = "";
    let meOut = false;
    for (const m of members.members) {
      const item = el("li", m.status === "active" ? "" : "out",
                      m.name + (m.admin ? " (admin)" : ""));
      list.appendChild(item);
      if (m.id === state.persona && m.status !== "active") meOut = true;
    }
    $("rejoin").hidden = !meOut;
    const auditList = $("audit"); auditList.textContent = "";
    for (const a of audit.audit) {
      const item = el("li");
      item.dataset.action = a.action;
      const label = (a.detail && a.detail.summary) || ACTION_LABELS[a.action] || a.action;
      item.appendChild(el("strong", "", label));
      if (a.subject) item.appendChild(document.createTextNode(" · " + a.subject));
      if (a.rule_id) item.appendChild(el("div", "rule", "regla: " + a.rule_id));
      if (a.dry_run) item.appendChild(el("div", "dry", "modo prueba: no se aplicó"));
      if (a.undone) item.appendChild(el("div", "dry", "deshecho"));
      item.appendChild(el("div", "rule", new Date(a.at).toLocaleString("es-MX") + " · " + a.actor));
      auditList.appendChild(item);
    }
  } catch (error) { /* the next update refreshes it */ }
}

function startReply(entry) {
  state.replyTo = entry.message_id;
  $("replying-text").textContent = entry.author_name + ": " + entry.text.slice(0, 60);
  $("replying").hidden = false;
  $("text").focus();
}

function cancelReply() { state.replyTo = null; $("replying").hidden = true; }

function describePersona() {
  const p = state.personas.find((x) => x.id === state.persona);
  $("persona-note").textContent = p && p.official
    ? "Funcionario (" + (p.department || "") + "): puede usar los comandos de administración."
    : "Vecino o vecina de la comunidad.";
}

async function send(event) {
  event.preventDefault();
  const text = $("text").value.trim();
  $("error").textContent = "";
  if (!text) { $("error").textContent = "Escribe un mensaje."; return; }
  $("send").disabled = true;
  try {
    await api("/playground/api/messages", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ chat: state.chat, persona: state.persona, text: text,
                             client_id: newId(), reply_to: state.replyTo }),
    });
    $("text").value = ""; cancelReply();
  } catch (error) {
    $("error").textContent = error.message;
    if (error.status === 403) $("rejoin").hidden = false;
  } finally { $("send").disabled = false; $("text").focus(); }
}

async function rejoin() {
  try {
    await api("/playground/api/join", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ chat: state.chat, persona: state.persona }),
    });
    $("error").textContent = "";
  } catch (error) { $("error").textContent = error.message; }
}

async function init() {
  const setup = await api("/playground/api/setup");
  state.personas = setup.personas;
  const select = $("persona");
  const groups = { false: el("optgroup"), true: el("optgroup") };
  groups.false.label = "Vecinos"; groups.true.label = "Funcionarios";
  for (const p of setup.personas) {
    const option = el("option", "", p.official ? p.name + " · " + p.department : p.name);
    option.value = p.id;
    groups[p.official].appendChild(option);
  }
  select.appendChild(groups.false); select.appendChild(groups.true);
  state.chat = $("chat").value; state.persona = select.value;
  describePersona();
  $("chat").addEventListener("change", () => { state.chat = $("chat").value; cancelReply(); openChats(); });
  select.addEventListener("change", () => { state.persona = select.value; describePersona(); openChats(); });
  $("composer").addEventListener("submit", send);
  $("text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); }
  });
  $("cancel-reply").addEventListener("click", cancelReply);
  $("rejoin").addEventListener("click", rejoin);
  for (const idea of document.querySelectorAll(".idea")) {
    idea.addEventListener("click", () => { $("text").value = idea.textContent; $("text").focus(); });
  }
  openChats();
  setInterval(refreshSide, 5000);
}

init().catch((error) => { $("error").textContent = error.message; });
