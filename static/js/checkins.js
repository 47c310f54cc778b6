// Check-in log form: show only what applies to the chosen status, use days only after "Used",
// and the crisis resources as soon as "Crisis" is chosen. Without JS every field stays visible.
(function () {
  const form = document.getElementById("checkin-log-form");
  if (!form) return;
  const value = (name) => {
    const checked = form.querySelector(`input[name="${name}"]:checked`);
    return checked ? checked.value : "";
  };
  const show = (id, visible) => {
    const el = document.getElementById(id);
    if (el) el.classList.toggle("d-none", !visible);
  };
  const update = () => {
    const status = value("status");
    show("reschedule-group", status === "rescheduled");
    show("happened-group", status === "completed" || status === "");
    show("use-days-group", value("use_reported") === "yes");
    show("crisis-resources", value("risk") === "crisis");
  };
  form.addEventListener("change", update);
  update();
})();
