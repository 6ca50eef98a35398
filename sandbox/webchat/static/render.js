// Telegram text + entities → DOM nodes. Nothing here parses HTML: every piece of text becomes a
// text node, and only the entity types below become elements (what Telegram renders of its HTML
// subset: b, i, u, s, code, pre, links, spoilers, quotes). A link's address is kept only when it is
// http, https or tg; anything else (javascript:, data:, …) stays plain text.
(function () {
"use strict";

const SAFE_SCHEMES = ["http:", "https:", "tg:"];
const TAGS = {
  bold: "b", italic: "i", underline: "u", strikethrough: "s", code: "code", pre: "pre",
  spoiler: "span", blockquote: "blockquote", expandable_blockquote: "blockquote",
};

function safeUrl(raw) {
  if (typeof raw !== "string") return null;
  let url;
  try { url = new URL(raw.trim()); } catch (_err) { return null; }
  return SAFE_SCHEMES.includes(url.protocol) ? url.href : null;
}

// Plain text with the /commands in it tappable (as Telegram clients do); onCommand(text) sends one.
function textNodes(parent, text, onCommand) {
  const pattern = /(^|[\s(（])(\/[A-Za-z][A-Za-z0-9_]{0,31})(?![A-Za-z0-9_])/g;
  let last = 0;
  let match;
  while (onCommand && (match = pattern.exec(text)) !== null) {
    const start = match.index + match[1].length;
    if (start > last) parent.appendChild(document.createTextNode(text.slice(last, start)));
    const link = document.createElement("a");
    link.className = "cmd";
    link.href = "#";
    link.textContent = match[2];
    const command = match[2];
    link.addEventListener("click", (event) => { event.preventDefault(); onCommand(command); });
    parent.appendChild(link);
    last = start + match[2].length;
  }
  if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
}

function entityElement(entity, text) {
  if (entity.type === "text_link" || entity.type === "url") {
    const href = safeUrl(entity.type === "url" ? text : entity.url);
    if (href === null) return document.createElement("span");
    const a = document.createElement("a");
    a.href = href;
    a.target = "_blank";
    a.rel = "noopener noreferrer";
    return a;
  }
  const tag = TAGS[entity.type];
  const el = document.createElement(tag || "span");
  if (entity.type === "spoiler") {
    el.className = "spoiler";
    el.addEventListener("click", () => el.classList.add("revealed"));
  }
  if (entity.type === "expandable_blockquote") el.className = "expandable";
  return el;
}

// Appends ``text`` (a JS string: UTF-16, the unit of Telegram's offsets) with ``entities`` to parent.
function renderEntities(parent, text, entities, onCommand) {
  const list = (Array.isArray(entities) ? entities : [])
    .filter((e) => e && Number.isInteger(e.offset) && Number.isInteger(e.length) && e.length > 0)
    .map((e) => ({ ...e, end: e.offset + e.length }))
    .sort((a, b) => a.offset - b.offset || b.length - a.length);
  build(parent, text, 0, text.length, list, onCommand);
}

function build(parent, text, start, end, entities, onCommand) {
  let pos = start;
  let i = 0;
  while (i < entities.length) {
    const entity = entities[i];
    if (entity.offset < pos || entity.end > end) { i += 1; continue; } // overlapping: its text still shows
    if (entity.offset > pos) textNodes(parent, text.slice(pos, entity.offset), onCommand);
    const inner = [];
    let j = i + 1;
    while (j < entities.length && entities[j].offset < entity.end) {
      if (entities[j].end <= entity.end) inner.push(entities[j]);
      j += 1;
    }
    const el = entityElement(entity, text.slice(entity.offset, entity.end));
    const isCode = entity.type === "code" || entity.type === "pre";
    build(el, text, entity.offset, entity.end, inner, isCode ? null : onCommand);
    parent.appendChild(el);
    pos = entity.end;
    i = j;
  }
  if (pos < end) textNodes(parent, text.slice(pos, end), onCommand);
}

window.WebchatRender = { renderEntities, safeUrl };
})();
