"""Consent elements (AMA Code of Medical Ethics 2.1.1, and what real consents carry), by section role.

A fillable form must have sections whose `role:` covers each element, and signature blocks for
at least the patient and the provider; the check reads roles and block kinds, not words.
"""

from __future__ import annotations

from handouts.check import ERROR, Finding, about
from handouts.model import ResolvedDocument

ELEMENTS = {
    "purpose": "the nature and purpose of the treatment",
    "benefits": "its benefits (and that they are not guaranteed)",
    "risks": "its risks and side effects",
    "alternatives": "the alternatives, including no treatment",
    "voluntary": "that agreeing is voluntary and can be withdrawn at any time",
    "questions": "that the patient's questions were answered",
    "signatures": "the signatures",
}
SIGNERS = ("patient", "provider")


def check(doc: ResolvedDocument) -> list[Finding]:
    """An error for each element a printed consent lacks."""
    if not doc.job.document.form:
        return []
    by_id = {s.id: s for s in doc.job.document.sections}
    roles = {role for s in doc.sections for role in (by_id[s.id].role or "").split()}
    signers = {b.data["role"] for s in doc.sections for b in s.blocks if b.kind == "signature"}
    where = str(doc.job.document.where)
    findings = [Finding(ERROR, "consent-element", f"no section with `role: {role}` ({what})", where, **about(doc))
                for role, what in ELEMENTS.items() if role not in roles]
    findings += [Finding(ERROR, "consent-element", f"no `signature` block for the {signer}", where, **about(doc))
                 for signer in SIGNERS if signer not in signers]
    return findings
