// The Test call softphone: the administrator plays the caller, the server plays Twilio.
// Each button posts one step of the call; the answer lists what happened on the line, in order.
"use strict";

(function () {
  const phone = document.getElementById("test-call");
  if (!phone) return;

  const base = phone.dataset.base;
  const csrf = phone.querySelector("input[name=csrfmiddlewaretoken]").value;
  const chat = document.getElementById("chat");
  const say = document.getElementById("say");
  const send = document.getElementById("send");
  const silence = document.getElementById("silence");
  const callButton = document.getElementById("call");
  const hangup = document.getElementById("hangup");
  const stateBadge = document.getElementById("call-state");
  const timer = document.getElementById("call-timer");
  const sessionLink = document.getElementById("session-link");
  const speakAloud = document.getElementById("speak-aloud");
  const synth = window.speechSynthesis || null;
  if (!synth) speakAloud.closest("label").hidden = true;

  const CHARS_PER_SECOND = 15; // how fast Twilio's voices read, near enough
  let listening = false;
  let inFlight = false;
  let speaking = null; // {bubble, until} while the agent's last reply is being read out
  let answeredAt = null;
  let tick = null;

  function setState(state, label) {
    stateBadge.dataset.state = state;
    stateBadge.textContent = label;
  }

  function refreshControls() {
    const inCall = stateBadge.dataset.state === "live" || stateBadge.dataset.state === "ringing";
    say.disabled = !listening;
    send.disabled = !listening || inFlight || !say.value.trim();
    silence.disabled = !listening || inFlight;
    callButton.hidden = inCall;
    callButton.disabled = inFlight;
    hangup.hidden = !inCall;
    hangup.disabled = inFlight;
  }

  function add(kind, text, extra) {
    const hint = document.getElementById("chat-hint");
    if (hint) hint.remove();
    const item = document.createElement("li");
    item.className = "tc-" + kind;
    if (extra) item.classList.add(extra);
    const bubble = document.createElement("span");
    bubble.className = "tc-text";
    bubble.textContent = text;
    item.appendChild(bubble);
    chat.appendChild(item);
    chat.scrollTop = chat.scrollHeight;
    return item;
  }

  function agentSays(event) {
    const item = add("agent", event.text, event.twilio ? "tc-twilio" : null);
    if (event.twilio) item.title = "Said by Twilio, not by the agent";
    const seconds = Math.max(1, event.text.length / CHARS_PER_SECOND);
    speaking = { item: item, until: Date.now() + seconds * 1000, interruptible: !!event.interruptible };
    item.classList.add("tc-speaking");
    setTimeout(function () { stopSpeaking(item, false); }, seconds * 1000);
    if (synth && speakAloud.checked) {
      const utterance = new SpeechSynthesisUtterance(event.text);
      utterance.lang = event.language || "en-US";
      const voice = synth.getVoices().find(function (v) { return v.lang === utterance.lang; });
      if (voice) utterance.voice = voice;
      utterance.onend = function () { stopSpeaking(item, false); };
      synth.speak(utterance);
    }
  }

  function stopSpeaking(item, interrupted) {
    if (!speaking || (item && speaking.item !== item)) return;
    speaking.item.classList.remove("tc-speaking");
    if (interrupted) speaking.item.classList.add("tc-interrupted");
    speaking = null;
  }

  function interrupting() {
    if (!speaking || Date.now() >= speaking.until) return false;
    if (synth) synth.cancel();
    const wasInterruptible = speaking.interruptible;
    stopSpeaking(null, wasInterruptible);
    return true;
  }

  function startTimer() {
    answeredAt = Date.now();
    timer.hidden = false;
    tick = setInterval(function () {
      const s = Math.floor((Date.now() - answeredAt) / 1000);
      timer.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
    }, 500);
  }

  function show(event) {
    switch (event.kind) {
      case "ringing": setState("ringing", "Ringing…"); add("system", "Calling " + phone.dataset.agent + "…"); break;
      case "answered": setState("live", "In call"); startTimer(); break;
      case "agent": agentSays(event); break;
      case "silence": add("system", "You stayed silent."); break;
      case "pause": add("system", "… (" + event.text + " pause)", "tc-pause"); break;
      case "listening": break;
      case "caller": break; // shown when sent
      case "redirect": break;
      case "status": break;
      case "note": add("system", event.text); break;
      case "error": add("error", event.text); break;
      case "ended":
        add("system", "Call ended: " + event.text + ".", "tc-ended");
        setState("ended", "Call ended");
        clearInterval(tick);
        break;
    }
  }

  async function step(action, fields) {
    inFlight = true;
    refreshControls();
    const thinking = action === "say" ? add("system", "…", "tc-thinking") : null;
    try {
      const response = await fetch(base + action + "/", {
        method: "POST",
        headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(fields || {}),
        credentials: "same-origin",
      });
      if (thinking) thinking.remove();
      const data = await response.json().catch(function () { return { error: "The portal answered HTTP " + response.status + "." }; });
      if (data.error) {
        add("error", data.error);
        if (response.status === 409) { listening = false; setState("ended", "No call"); }
        return;
      }
      data.events.forEach(show);
      listening = data.listening;
      if (data.ended) {
        listening = false;
        if (data.session_url) {
          sessionLink.href = data.session_url;
          sessionLink.hidden = false;
        }
        callButton.textContent = "Call again";
      }
    } catch (err) {
      if (thinking) thinking.remove();
      add("error", "The portal did not answer: " + err.message);
    } finally {
      inFlight = false;
      refreshControls();
      if (listening) say.focus();
    }
  }

  callButton.addEventListener("click", function () {
    chat.querySelectorAll("li").forEach(function (li) { li.remove(); });
    sessionLink.hidden = true;
    timer.hidden = true;
    timer.textContent = "0:00";
    setState("ringing", "Ringing…");
    step("start");
  });

  document.getElementById("compose").addEventListener("submit", function (e) {
    e.preventDefault();
    const text = say.value.trim();
    if (!text || !listening || inFlight) return;
    const cut = interrupting();
    add("caller", text, cut ? "tc-barge" : null);
    say.value = "";
    step("say", { text: text, interrupting: cut ? "true" : "false" });
  });

  say.addEventListener("input", refreshControls);
  silence.addEventListener("click", function () { step("silence"); });
  hangup.addEventListener("click", function () {
    if (synth) synth.cancel();
    stopSpeaking(null, false);
    step("hangup");
  });
  speakAloud.addEventListener("change", function () { if (!speakAloud.checked && synth) synth.cancel(); });

  refreshControls();
})();
