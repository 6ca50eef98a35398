// The sandbox's web chat: one Telegram-like chat per demo person, over the local Bot API server's
// sandbox side (/_sandbox/{token}/…). Everything shown is built with text nodes and the entity
// renderer (render.js); no string from the server is ever parsed as HTML.
"use strict";

const $ = (id) => document.getElementById(id);
const { renderEntities, safeUrl } = window.WebchatRender;

const app = {
  info: null,        // GET /api/sandbox
  person: null,      // the selected person (an entry of info.people)
  seq: 0,            // the newest bot event seen (all chats)
  rendered: new Map(), // message_id → {key, el} of the selected chat
  answersSeen: new Map(), // person id → seq of the newest callback answer already shown
  unread: new Set(),
  poller: null,
  generation: 0,     // bumped on a switch or reset: an older refresh/poll drops its result
};

// ------------------------------------------------------------------ server
async function sandbox(action, { method = "GET", params = {}, body = null } = {}) {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null) query.set(k, String(v));
  const url = `/_sandbox/${encodeURIComponent(app.info.token)}/${action}` + (method === "GET" ? `?${query}` : "");
  const init = { method, headers: { "X-Webchat": "1" }, signal: app.poller?.signal };
  if (method !== "GET") {
    if (body instanceof FormData) init.body = body;
    else { init.body = JSON.stringify(params); init.headers["Content-Type"] = "application/json"; }
  }
  if (action !== "wait") delete init.signal;
  const response = await fetch(url, init);
  const data = await response.json();
  if (!data.ok) throw new Error(data.description || `HTTP ${response.status}`);
  return data;
}

function fileUrl(path) {
  return `/file/bot${encodeURIComponent(app.info.token)}/${path.split("/").map(encodeURIComponent).join("/")}`;
}

// ------------------------------------------------------------------ people
function renderPeople() {
  const nav = $("people");
  nav.replaceChildren();
  for (const person of app.info.people) {
    const button = document.createElement("button");
    button.type = "button";
    button.className = "person" + (person.id === app.person?.id ? " selected" : "") + (app.unread.has(person.id) ? " unread" : "");
    button.dataset.person = String(person.id);
    button.setAttribute("aria-pressed", person.id === app.person?.id ? "true" : "false");
    const avatar = document.createElement("span");
    avatar.className = "avatar " + person.role;
    avatar.textContent = person.name.slice(0, 1);
    const label = document.createElement("span");
    label.className = "label";
    const name = document.createElement("b");
    name.textContent = person.name;
    const title = document.createElement("small");
    title.textContent = person.title;
    label.append(name, title);
    button.append(avatar, label);
    button.addEventListener("click", () => selectPerson(person.id));
    nav.appendChild(button);
  }
}

function selectPerson(id) {
  const person = app.info.people.find((p) => p.id === id) || app.info.people[0];
  app.person = person;
  app.unread.delete(person.id);
  app.generation += 1;
  try { localStorage.setItem("webchat.person", String(person.id)); } catch (_err) { /* private mode */ }
  app.rendered.clear();
  $("messages").replaceChildren();
  $("toast").hidden = true;
  hideMenus();
  renderPeople();
  refresh(true);
}

// ------------------------------------------------------------------ the chat
async function refresh(first = false) {
  const generation = app.generation;
  const person = app.person;
  const data = await sandbox("messages", { params: { user_id: person.id, include_user: "true" } });
  if (generation !== app.generation) return;
  const box = $("chat");
  const atBottom = first || box.scrollHeight - box.scrollTop - box.clientHeight < 80;
  for (const view of data.messages) renderMessage(view);
  renderReplyKeyboard(data.reply_keyboard);
  renderHint(data.messages.length === 0);
  showAnswers(person, data.callback_answers, first);
  if (atBottom) box.scrollTop = box.scrollHeight;
}

function renderMessage(view) {
  const key = `${view.edit_count}|${view.deleted}`;
  const known = app.rendered.get(view.message_id);
  if (known && known.key === key) return;
  const el = view.deleted ? null : messageElement(view);
  if (known) {
    if (el) known.el.replaceWith(el); else known.el.remove();
  } else if (el) {
    $("messages").appendChild(el);
  }
  if (el) app.rendered.set(view.message_id, { key, el });
  else app.rendered.delete(view.message_id);
}

function messageElement(view) {
  const m = view.message;
  const row = document.createElement("div");
  row.className = "row " + (view.outgoing ? "bot" : "me");
  row.dataset.messageId = String(view.message_id);
  const bubble = document.createElement("div");
  bubble.className = "bubble";
  row.appendChild(bubble);

  if (m.reply_to_message) {
    const quote = document.createElement("div");
    quote.className = "reply-to";
    quote.textContent = (m.reply_to_message.text || m.reply_to_message.caption || "…").slice(0, 80);
    bubble.appendChild(quote);
  }
  if (view.file) bubble.appendChild(fileElement(view.file, m));
  const other = otherContent(m);
  if (other) {
    const note = document.createElement("div");
    note.className = "other";
    note.textContent = other;
    bubble.appendChild(note);
  }
  const text = m.text ?? m.caption;
  if (text) {
    const body = document.createElement("div");
    body.className = "text";
    renderEntities(body, text, m.text !== undefined ? m.entities : m.caption_entities, view.outgoing ? sendText : null);
    bubble.appendChild(body);
  }
  const meta = document.createElement("div");
  meta.className = "meta";
  const time = new Date(view.date * 1000);
  meta.textContent = (view.edit_count > 0 ? "已编辑 edited · " : "") +
    time.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  bubble.appendChild(meta);

  const keyboard = m.reply_markup?.inline_keyboard;
  if (view.outgoing && Array.isArray(keyboard) && keyboard.length) {
    row.appendChild(inlineKeyboard(view.message_id, keyboard));
  }
  return row;
}

function fileElement(file, m) {
  const url = fileUrl(file.file_path);
  if (file.kind === "photo") {
    const img = document.createElement("img");
    img.className = "photo";
    img.alt = "照片 photo";
    img.src = url;
    img.loading = "lazy";
    img.addEventListener("load", () => {
      const box = $("chat");
      if (box.scrollHeight - box.scrollTop - box.clientHeight < img.height + 120) box.scrollTop = box.scrollHeight;
    });
    const link = document.createElement("a");
    link.href = url;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.appendChild(img);
    return link;
  }
  const card = document.createElement("a");
  card.className = "document";
  card.href = url;
  card.download = file.file_name || "file";
  const icon = document.createElement("span");
  icon.className = "doc-icon";
  const extension = (file.file_name || "").split(".").pop();
  icon.textContent = extension && extension !== file.file_name ? extension.slice(0, 4).toUpperCase() : "FILE";
  const label = document.createElement("span");
  const name = document.createElement("b");
  name.textContent = file.file_name || (m.document && m.document.file_name) || "file";
  const size = document.createElement("small");
  size.textContent = `${formatSize(file.file_size)} · 点击下载 download`;
  label.append(name, size);
  card.append(icon, label);
  return card;
}

function formatSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function otherContent(m) {
  if (m.contact) return `☎ ${m.contact.first_name || ""} ${m.contact.phone_number || ""}`;
  if (m.sticker) return `[贴纸 sticker] ${m.sticker.emoji || ""}`;
  if (m.location) return "📍 位置 location";
  if (m.voice) return "🎤 语音 voice";
  return null;
}

function inlineKeyboard(messageId, rows) {
  const box = document.createElement("div");
  box.className = "inline-keyboard";
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "kb-row";
    for (const button of row) {
      const el = document.createElement("button");
      el.type = "button";
      el.className = "kb-button";
      el.textContent = button.text;
      if (typeof button.callback_data === "string") {
        el.dataset.callback = button.callback_data;
        el.addEventListener("click", () => press(messageId, button.callback_data, el));
      } else if (button.url && safeUrl(button.url)) {
        const href = safeUrl(button.url);
        el.textContent = `${button.text} ↗`;
        el.addEventListener("click", () => window.open(href, "_blank", "noopener,noreferrer"));
      } else {
        el.disabled = true;
        el.title = "沙盒不支持此按钮 (not supported in the sandbox)";
      }
      line.appendChild(el);
    }
    box.appendChild(line);
  }
  return box;
}

function renderReplyKeyboard(markup) {
  const box = $("reply-keyboard");
  box.replaceChildren();
  const rows = markup && Array.isArray(markup.keyboard) ? markup.keyboard : [];
  box.hidden = rows.length === 0;
  for (const row of rows) {
    const line = document.createElement("div");
    line.className = "kb-row";
    for (const raw of row) {
      const button = typeof raw === "string" ? { text: raw } : raw;
      const el = document.createElement("button");
      el.type = "button";
      el.className = "kb-button";
      el.textContent = button.text;
      el.addEventListener("click", () => {
        if (button.request_contact) sendContact();
        else sendText(button.text);
      });
      line.appendChild(el);
    }
    box.appendChild(line);
  }
}

function renderHint(empty) {
  const hint = $("hint");
  hint.replaceChildren();
  hint.hidden = !empty;
  if (!empty) return;
  const code = app.person.code;
  const text = document.createElement("span");
  const button = document.createElement("button");
  button.type = "button";
  button.id = "join";
  if (code) {
    text.textContent = "尚未加入：办公室发给此人的邀请码是 ";
    const codeEl = document.createElement("code");
    codeEl.textContent = code;
    text.appendChild(codeEl);
    button.textContent = "发送 /start 加入 (join)";
    button.addEventListener("click", () => sendText(`/start ${code}`));
  } else {
    text.textContent = "聊天记录在沙盒重启后不保留，数据（名额、推荐对象、草稿）都在 (the history is not kept across a restart; the data is).";
    button.textContent = "/start";
    button.addEventListener("click", () => sendText("/start"));
  }
  hint.append(text, button);
}

function showAnswers(person, answers, first) {
  const seen = app.answersSeen.get(person.id) ?? 0;
  const newest = answers.reduce((max, a) => Math.max(max, a.seq || 0), seen);
  app.answersSeen.set(person.id, newest);
  if (first) return; // answers from before this chat was opened are history, not news
  for (const answer of answers) {
    if ((answer.seq || 0) <= seen || !answer.text) continue;
    if (answer.show_alert) showAlert(answer.text); else showToast(answer.text);
  }
}

function showToast(text) {
  const toast = $("toast");
  toast.textContent = text;
  toast.hidden = false;
  clearTimeout(showToast.timer);
  showToast.timer = setTimeout(() => { toast.hidden = true; }, 3000);
}

function showAlert(text) {
  $("alert-text").textContent = text;
  $("alert").hidden = false;
  $("alert-ok").focus();
}

// ------------------------------------------------------------------ what the person does
async function act(action) {
  try {
    await action();
  } catch (err) {
    showToast(`未能发送 (not sent): ${err.message}`);
  }
  await refresh();
}

function sendText(text) {
  const trimmed = text.trim();
  if (!trimmed) return;
  hideMenus();
  act(() => sandbox("send_text", { method: "POST", params: { user_id: app.person.id, text: trimmed } }));
}

function sendContact() {
  const phone = app.person.phone || "13800138000";
  act(() => sandbox("send_other", {
    method: "POST",
    params: { user_id: app.person.id, kind: "contact", phone_number: phone, first_name: app.person.name, contact_user_id: app.person.id },
  }));
}

function press(messageId, data, el) {
  el.classList.add("pressed");
  act(() => sandbox("press", { method: "POST", params: { user_id: app.person.id, message_id: messageId, data } }));
}

function upload(kind, input) {
  const file = input.files && input.files[0];
  input.value = "";
  hideMenus();
  if (!file) return;
  const form = new FormData();
  form.set("user_id", String(app.person.id));
  form.set("kind", kind);
  form.set("file", file, file.name);
  const caption = $("text").value.trim();
  if (caption) { form.set("caption", caption); $("text").value = ""; }
  act(() => sandbox("upload", { method: "POST", body: form }));
}

// ------------------------------------------------------------------ menus
function hideMenus() {
  $("commands").hidden = true;
  $("attach-menu").hidden = true;
}

// The menu Telegram shows this person in their private chat: the first list set, in this order of
// scopes — this chat (the office's own menu, BotCommandScopeChat), all private chats, default —
// each first in the person's language, then for every language.
function menuFor(lists, person) {
  const languages = person.language === "en" ? ["en", ""] : [""];
  const scopes = [
    (s) => s.type === "chat" && String(s.chat_id) === String(person.id),
    (s) => s.type === "all_private_chats",
    (s) => s.type === "default",
  ];
  for (const fits of scopes) {
    for (const language of languages) {
      const found = lists.find((c) => fits(c.scope || { type: "default" }) && (c.language_code || "") === language);
      if (found && found.commands.length) return found.commands;
    }
  }
  return [];
}

async function toggleCommands() {
  const box = $("commands");
  if (!box.hidden) { box.hidden = true; return; }
  const state = await sandbox("state");
  box.replaceChildren();
  for (const command of menuFor(state.commands, app.person)) {
    const item = document.createElement("button");
    item.type = "button";
    item.className = "item";
    const name = document.createElement("b");
    name.textContent = `/${command.command}`;
    const description = document.createElement("span");
    description.textContent = command.description;
    item.append(name, description);
    item.addEventListener("click", () => sendText(`/${command.command}`));
    box.appendChild(item);
  }
  $("attach-menu").hidden = true;
  box.hidden = false;
}

// ------------------------------------------------------------------ the bot's actions, long-polled
async function poll() {
  for (;;) {
    app.poller = new AbortController();
    try {
      const data = await sandbox("wait", { params: { after_seq: app.seq, timeout: 25 } });
      const events = data.events;
      if (events.length) app.seq = Math.max(app.seq, ...events.map((e) => e.seq));
      else app.seq = Math.max(app.seq, data.seq);
      const chats = new Set(events.map((e) => e.chat_id));
      for (const id of chats) if (id !== app.person.id) app.unread.add(id);
      if (chats.size) renderPeople();
      if (chats.has(app.person.id)) await refresh();
    } catch (err) {
      if (err.name === "AbortError") continue;
      // The sandbox stopped (a restart, or a reset from another tab): once it answers again, the
      // page starts over with its new state (its event numbers began anew).
      await new Promise((r) => setTimeout(r, 1000));
      if (err instanceof TypeError) { await loadInfo(); window.location.reload(); return; }
    }
  }
}

// ------------------------------------------------------------------ start
async function loadInfo() {
  for (;;) {
    try {
      const response = await fetch("/api/sandbox");
      const info = await response.json();
      if (info.ready) return info;
      $("starting").textContent = info.status || "正在启动… Starting…";
    } catch (_err) { /* the sandbox is restarting */ }
    await new Promise((r) => setTimeout(r, 400));
  }
}

async function start() {
  $("starting").hidden = false;
  app.info = await loadInfo();
  $("starting").hidden = true;
  document.body.dataset.ready = "true";
  $("bot-name").textContent = app.info.bot.first_name;
  const banner = $("banner");
  banner.replaceChildren();
  // The moved day and the real dates stay in sight; the rest folds away (a phone has little room).
  const more = document.createElement("details");
  const summary = document.createElement("summary");
  summary.textContent = "更多说明 more";
  more.appendChild(summary);
  app.info.banner.forEach((line, i) => {
    const p = document.createElement("p");
    p.textContent = line;
    (i < 2 ? banner : more).appendChild(p);
  });
  if (app.info.banner.length > 2) banner.appendChild(more);
  let saved = null;
  try { saved = Number(localStorage.getItem("webchat.person")); } catch (_err) { /* private mode */ }
  const first = app.info.people.find((p) => p.id === saved) ? saved : app.info.people[0].id;
  const state = await sandbox("state");
  app.seq = state.seq;
  selectPerson(first);
}

function wire() {
  const input = $("text");
  $("send").addEventListener("click", () => { const t = input.value; input.value = ""; sendText(t); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      const t = input.value;
      input.value = "";
      sendText(t);
    }
  });
  $("menu").addEventListener("click", () => toggleCommands().catch((err) => showToast(err.message)));
  $("attach").addEventListener("click", () => { $("commands").hidden = true; $("attach-menu").hidden = !$("attach-menu").hidden; });
  $("photo-input").addEventListener("change", (e) => upload("photo", e.target));
  $("file-input").addEventListener("change", (e) => upload("document", e.target));
  $("alert-ok").addEventListener("click", () => { $("alert").hidden = true; });
  $("reset").addEventListener("click", async () => {
    if (!window.confirm("删除全部演示数据并重新开始？(Delete all demo data and start afresh?)")) return;
    app.generation += 1;
    app.poller?.abort();
    $("starting").textContent = "正在重置… Resetting…";
    $("starting").hidden = false;
    await fetch("/api/reset", { method: "POST", headers: { "X-Webchat": "1" } });
    window.location.reload();
  });
}

wire();
start().then(poll);
