// Choices follow each other: a location's own treatments and languages only; the treatment and
// the patient fields only for the documents that use them. The server checks all of it again.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const data = JSON.parse(document.getElementById("offerings").textContent || "{}");
  const form = document.getElementById("choices");
  if (!form || !data.clinics) return;
  const clinic = form.elements.namedItem("clinic");
  const treatment = form.elements.namedItem("treatment");
  const lang = form.elements.namedItem("lang");

  function fill(select, codes, names) {
    const kept = select.value;
    select.replaceChildren(...codes.map((code) => {
      const option = new Option(names[code] || code, code);
      if (select === lang) option.lang = code;
      return option;
    }));
    select.value = codes.includes(kept) ? kept : codes[0];
  }

  function documentChosen() {
    const checked = form.querySelector("input[name=document]:checked");
    return checked ? checked.value : "";
  }

  function follow() {
    const offered = data.clinics[clinic.value];
    if (offered) {
      fill(treatment, offered.treatments, data.treatments);
      fill(lang, offered.languages, data.languages);
    }
    const doc = documentChosen();
    const perTreatment = data.per_treatment.includes(doc);
    treatment.disabled = !perTreatment;
    document.getElementById("treatment-field").hidden = !perTreatment;
    const patient = document.getElementById("patient");
    patient.disabled = !data.patient_documents.includes(doc);
    patient.hidden = patient.disabled;
  }

  clinic.addEventListener("change", follow);
  form.querySelectorAll("input[name=document]").forEach((radio) => radio.addEventListener("change", follow));
  follow();
  const alert = document.getElementById("errors") || document.getElementById("problems");
  if (alert) alert.focus();
});
