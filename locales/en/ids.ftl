# Identifier validation messages (crates/domain/src/ids). Each message id is the stable code of
# IdError / IdWarning.

## NSS (social security number)

nss_length = The NSS must have exactly 11 digits, with no spaces or dashes. Check that you copied all of it from your payslip or your IMSS contribution record (constancia de semanas cotizadas).
nss_not_digits = The NSS contains only the digits 0 to 9. Remove any letters, spaces, dashes or symbols and type it again.
nss_check_digit = The last digit of the NSS does not match the others, so a digit is probably wrong or two digits are swapped. Compare it with your payslip or your IMSS contribution record.

## CURP

curp_length = The CURP must have exactly 18 letters and digits, with no spaces. Check that you copied all of it from your CURP certificate (constancia de CURP).
curp_format = The CURP does not have the right shape: 4 letters, 6 digits (your birth date), 6 letters, one letter or digit and a final digit. Check that you did not type a zero for the letter O, or use accents or Ñ, and copy it from your CURP certificate.
curp_date = The birth date digits in the CURP (characters 5 to 10: year, month and day) are not a real date. Check that you copied them correctly from your CURP certificate.
curp_sex = Character 11 of the CURP must be H (man) or M (woman). Check that you copied it correctly from your CURP certificate.
curp_state = Characters 12 and 13 of the CURP must be the code of the state where you were born (for example DF, JC or NL, or NE if you were born abroad). Check that you copied them correctly from your CURP certificate.
curp_check_digit = The CURP check digit (the last character) does not match the others, so a character is probably wrong. Check that you copied all of it from your CURP certificate.
curp_blocklisted = The first 4 letters of the CURP spell a word that RENAPO never assigns (it replaces the second letter with an X instead). Check those letters on your CURP certificate.

## RFC

rfc_length = The RFC must have 13 characters for a person or 12 for a company, including the 3-character homoclave and with no spaces or dashes. If yours has 10, add the homoclave shown on your tax status certificate (Constancia de Situación Fiscal).
rfc_format = The RFC does not have the right shape: 4 letters (3 for a company), 6 date digits and a homoclave of 3 letters or digits. Check that it has no accents or symbols and copy it from your tax status certificate.
rfc_date = The 6 date digits in the RFC (year, month and day) are not a real date. Check that you copied them correctly from your tax status certificate.
rfc_blocklisted = The first 4 letters of the RFC spell a word that the SAT never assigns (it replaces the last letter with an X instead). Check those letters on your tax status certificate.
rfc_check_digit_warning = The homoclave of your RFC (the last 3 characters) does not match the usual calculation. Some valid RFCs are like this, so we accept it; just confirm that you copied it exactly from your tax status certificate.

## CLABE

clabe_length = The CLABE must have exactly 18 digits, with no spaces or dashes. Copy it from your bank statement or your bank's app.
clabe_not_digits = The CLABE contains only the digits 0 to 9. Remove any letters, spaces, dashes or symbols and type it again.
clabe_check_digit = The last digit of the CLABE does not match the others, so a digit is probably wrong. Copy it again from your bank statement or your bank's app.
clabe_bank_unknown = The first 3 digits of the CLABE identify the bank, and they do not match any bank that receives SPEI transfers. Check that this is your 18-digit interbank CLABE and not a card or account number.
