// Passkeys (WebAuthn) for the security page and the second step of sign-in. The server side
// is django-otp-webauthn's JSON views; this file only runs the browser's ceremony between
// them, with the browser's own JSON helpers (parseCreationOptionsFromJSON, toJSON). Where the
// browser lacks them the button stays hidden and the "not supported" note shows instead.
(() => {
  const supported =
    window.PublicKeyCredential &&
    typeof PublicKeyCredential.parseCreationOptionsFromJSON === "function" &&
    typeof PublicKeyCredential.parseRequestOptionsFromJSON === "function";

  const csrfToken = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;

  async function postJSON(url, body) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(body || {}),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(data.detail || response.statusText);
    return data;
  }

  function wire(button, ceremony) {
    const status = document.getElementById(button.dataset.status);
    const say = (text) => { if (status) status.textContent = text; };
    button.hidden = false;
    button.addEventListener("click", async () => {
      button.disabled = true;
      say(button.dataset.waiting);
      try {
        await ceremony();
      } catch (error) {
        say(button.dataset.failed);
        button.disabled = false;
      }
    });
  }

  document.querySelectorAll("[data-passkey-unsupported]").forEach((note) => {
    note.hidden = Boolean(supported);
  });
  if (!supported) return;

  const register = document.querySelector("[data-passkey-register]");
  if (register) {
    wire(register, async () => {
      const options = await postJSON(register.dataset.begin);
      const credential = await navigator.credentials.create({
        publicKey: PublicKeyCredential.parseCreationOptionsFromJSON(options),
      });
      await postJSON(register.dataset.complete, credential.toJSON());
      // Tells the page a passkey was saved: it is audited, and the first one brings recovery codes.
      document.getElementById(register.dataset.doneForm).submit();
    });
  }

  const verify = document.querySelector("[data-passkey-verify]");
  if (verify) {
    wire(verify, async () => {
      const options = await postJSON(verify.dataset.begin);
      const credential = await navigator.credentials.get({
        publicKey: PublicKeyCredential.parseRequestOptionsFromJSON(options),
      });
      const result = await postJSON(verify.dataset.complete, credential.toJSON());
      window.location.assign(verify.dataset.next || result.redirect_url);
    });
  }
})();
