"""The built-in philosophy compatibility table, by the default vocabulary's names.

A program's own `PhilosophyCompatibility` rows override these; pairs in neither get 100 for the
same philosophy and `PhilosophyCompatibility.DEFAULT_CROSS` otherwise. Values are how well a
mentor following the column's philosophy supports a mentee who prefers the row's (0-100; 0 means
never pair). They encode the field's common ground: medication-assisted recovery needs a mentor
who affirms medication, SMART and secular recovery share their tools, and so on.
"""

TWELVE = "12-step (AA/NA)"
SMART = "SMART Recovery"
MOUD = "Medication-assisted (MOUD-affirming)"
FAITH = "Faith-based"
HARM = "Harm reduction"
SECULAR = "Secular / evidence-based"

DEFAULT_COMPATIBILITY: dict[tuple[str, str], int] = {
    # (mentee prefers, mentor follows): fit
    (MOUD, HARM): 80,
    (MOUD, SMART): 60,
    (MOUD, SECULAR): 60,
    (MOUD, TWELVE): 10,
    (MOUD, FAITH): 15,
    (TWELVE, FAITH): 60,
    (TWELVE, SMART): 40,
    (TWELVE, MOUD): 50,
    (TWELVE, SECULAR): 30,
    (TWELVE, HARM): 20,
    (SMART, SECULAR): 80,
    (SMART, MOUD): 60,
    (SMART, HARM): 50,
    (SMART, TWELVE): 40,
    (SMART, FAITH): 30,
    (FAITH, TWELVE): 60,
    (FAITH, MOUD): 40,
    (FAITH, SMART): 30,
    (FAITH, HARM): 20,
    (FAITH, SECULAR): 10,
    (HARM, MOUD): 80,
    (HARM, SMART): 60,
    (HARM, SECULAR): 60,
    (HARM, TWELVE): 20,
    (HARM, FAITH): 20,
    (SECULAR, SMART): 80,
    (SECULAR, HARM): 60,
    (SECULAR, MOUD): 60,
    (SECULAR, TWELVE): 30,
    (SECULAR, FAITH): 10,
}
