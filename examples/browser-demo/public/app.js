// The page: Better Auth on this origin (cookies), the tasks API on DEMO_API_URL (a bearer JWT
// from /api/auth/token, kept in localStorage, refreshed when the API says it expired).
const api = window.DEMO_API_URL;
const $ = (selector) => document.querySelector(selector);

function show(text, isError = false) {
  $("#status").textContent = text;
  $("#status").className = isError ? "error" : "";
}

function claims(token) {
  try {
    const payload = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload));
  } catch {
    return {};
  }
}

// A fresh JWT for the session Better Auth's cookie holds.
async function newToken() {
  const response = await fetch("/api/auth/token", { credentials: "include" });
  if (!response.ok) return null;
  const { token } = await response.json();
  localStorage.setItem("token", token);
  return token;
}

// Calls the tasks API with the bearer token. One retry with a new token when the API answers
// 401 for an expired token; any other refusal is shown with its `detail`.
async function callApi(method, path, body, retried = false) {
  const token = localStorage.getItem("token") ?? (await newToken());
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(`${api}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 401 && !retried
      && (response.headers.get("WWW-Authenticate") ?? "").includes("expired")) {
    await newToken();
    return callApi(method, path, body, true);
  }
  if (!response.ok) {
    const detail = await response.json().then((b) => b.detail).catch(() => response.statusText);
    show(`${response.status}: ${detail}`, true);
    return null;
  }
  return response.status === 204 ? {} : response.json();
}

function userId() {
  return claims(localStorage.getItem("token") ?? "").sub;
}

async function refresh() {
  const tasks = await callApi("GET", `/api/${encodeURIComponent(userId())}/tasks`);
  if (tasks === null) return;
  const list = $("#tasks");
  list.replaceChildren();
  for (const task of tasks) {
    const item = document.createElement("li");
    item.className = task.completed ? "done" : "";
    item.dataset.id = task.id;
    const title = document.createElement("span");
    title.textContent = task.title;
    const done = document.createElement("button");
    done.textContent = "Done";
    done.disabled = task.completed;
    done.onclick = () => act("PATCH", `/tasks/${task.id}/complete`, "Completed");
    const remove = document.createElement("button");
    remove.textContent = "Delete";
    remove.onclick = () => act("DELETE", `/tasks/${task.id}`, "Deleted");
    item.append(title, done, remove);
    list.append(item);
  }
  show(`${tasks.length} task${tasks.length === 1 ? "" : "s"}`);
}

async function act(method, suffix, message) {
  if ((await callApi(method, `/api/${encodeURIComponent(userId())}${suffix}`)) !== null) {
    await refresh();
    show(message);
  }
}

async function signedIn() {
  const token = localStorage.getItem("token") ?? (await newToken());
  if (!token) return signedOut();
  const { name, email, sub } = claims(token);
  $("#who").textContent = `${name ?? email} (${sub})`;
  $("#signed-out").hidden = true;
  $("#signed-in").hidden = false;
  await refresh();
}

function signedOut() {
  localStorage.removeItem("token");
  $("#signed-out").hidden = false;
  $("#signed-in").hidden = true;
}

async function authForm(event, path) {
  event.preventDefault();
  const body = Object.fromEntries(new FormData(event.target));
  const response = await fetch(path, {
    method: "POST",
    credentials: "include",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    const error = await response.json().catch(() => ({}));
    return show(`${response.status}: ${error.message ?? response.statusText}`, true);
  }
  localStorage.removeItem("token");
  event.target.reset();
  await signedIn();
}

$("#sign-up").onsubmit = (event) => authForm(event, "/api/auth/sign-up/email");
$("#sign-in").onsubmit = (event) => authForm(event, "/api/auth/sign-in/email");
$("#sign-out").onclick = async () => {
  await fetch("/api/auth/sign-out", { method: "POST", credentials: "include" });
  signedOut();
  show("Signed out");
};
$("#new-task").onsubmit = async (event) => {
  event.preventDefault();
  const title = new FormData(event.target).get("title");
  if ((await callApi("POST", `/api/${encodeURIComponent(userId())}/tasks`, { title })) !== null) {
    event.target.reset();
    await refresh();
    show("Added");
  }
};
$("#other").onsubmit = async (event) => {
  event.preventDefault();
  const other = new FormData(event.target).get("user");
  const tasks = await callApi("GET", `/api/${encodeURIComponent(other)}/tasks`);
  if (tasks !== null) show(`${other} has ${tasks.length} tasks`);
};

// A session cookie from an earlier visit signs the page in again.
signedIn().catch((error) => show(String(error), true));
