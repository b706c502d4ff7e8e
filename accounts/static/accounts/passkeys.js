// The admin's passkey buttons (accounts/admin_webauthn.py). A button with
// data-passkey="create" or "get" asks its data-options-url for WebAuthn
// options, lets the browser prompt, puts the answer (JSON) in its form's
// `passkey` field and sends the form. No library, nothing from another origin.
(function () {
  "use strict";

  function decode(text) {
    const base64 = text.replace(/-/g, "+").replace(/_/g, "/");
    const padded = base64 + "===".slice((base64.length + 3) % 4);
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0)).buffer;
  }

  function encode(buffer) {
    const text = String.fromCharCode(...new Uint8Array(buffer));
    return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  }

  function withIds(list) {
    return (list || []).map((item) => ({ ...item, id: decode(item.id) }));
  }

  function creationOptions(options) {
    return {
      ...options,
      challenge: decode(options.challenge),
      user: { ...options.user, id: decode(options.user.id) },
      excludeCredentials: withIds(options.excludeCredentials),
    };
  }

  function requestOptions(options) {
    return {
      ...options,
      challenge: decode(options.challenge),
      allowCredentials: withIds(options.allowCredentials),
    };
  }

  function asJSON(credential) {
    const answer = credential.response;
    const response = { clientDataJSON: encode(answer.clientDataJSON) };
    if (answer.attestationObject) {
      response.attestationObject = encode(answer.attestationObject);
      response.transports = answer.getTransports ? answer.getTransports() : [];
    } else {
      response.authenticatorData = encode(answer.authenticatorData);
      response.signature = encode(answer.signature);
      if (answer.userHandle) response.userHandle = encode(answer.userHandle);
    }
    return {
      id: credential.id,
      rawId: encode(credential.rawId),
      type: credential.type,
      response: response,
      clientExtensionResults: credential.getClientExtensionResults(),
    };
  }

  async function fetchOptions(button) {
    const token = button.form.querySelector("[name=csrfmiddlewaretoken]").value;
    const answer = await fetch(button.dataset.optionsUrl, {
      method: "POST",
      headers: { "X-CSRFToken": token },
      credentials: "same-origin",
    });
    const body = await answer.json();
    if (!answer.ok) throw new Error(body.detail || message("optionsFailed", "The passkey options could not be loaded."));
    return body;
  }

  // The page's language: the messages ride on the error note's data attributes.
  function message(name, fallback) {
    const note = document.querySelector(".passkey-error");
    return (note && note.dataset[name]) || fallback;
  }

  function showError(message) {
    const note = document.querySelector(".passkey-error");
    if (note) {
      note.textContent = message;
      note.style.display = "block";
    }
  }

  async function run(button) {
    const form = button.form;
    if (!form.reportValidity()) return;
    const options = await fetchOptions(button);
    const credential =
      button.dataset.passkey === "create"
        ? await navigator.credentials.create({ publicKey: creationOptions(options) })
        : await navigator.credentials.get({ publicKey: requestOptions(options) });
    form.querySelector("[name=passkey]").value = JSON.stringify(asJSON(credential));
    form.submit();
  }

  document.querySelectorAll("[data-passkey]").forEach((button) => {
    if (window.PublicKeyCredential) button.style.display = ""; // shown where the browser has WebAuthn
    button.addEventListener("click", () => {
      run(button).catch((error) => showError(error.message || message("notUsed", "The passkey was not used.")));
    });
  });
})();
