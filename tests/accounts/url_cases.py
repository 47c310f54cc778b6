from tests.accounts.cases_profiles import CASES as PROFILE_CASES
from tests.accounts.cases_records import CASES as RECORD_CASES
from tests.accounts.cases_security import CASES as SECURITY_CASES

CASES = PROFILE_CASES + RECORD_CASES + SECURITY_CASES
