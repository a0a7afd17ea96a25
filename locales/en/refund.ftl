## Savings refund for pensioners (Procedures)

refund-title = Refund of your housing savings
refund-intro = If you have retired on a pension and never used your Infonavit savings for a credit, we pay them back into a bank account in your name. The deposit arrives within 10 business days.
refund-warning = Nobody may charge you for this procedure or do it for you. Your savings are only paid into an account in your name, never in cash.
refund-warning-assistive = Warning
refund-eligible-title = You can ask for your refund online
refund-not-eligible-title = You cannot ask for the refund online yet
refund-not-eligible-intro = This is what stops it and what you can do:
refund-pension-granted = Your pension ({ $kind }) was resolved on { $date }.
refund-pension-denied = You have a pension denial ({ $kind }) dated { $date }.
refund-pension-kind-old_age = old age
refund-pension-kind-severance = old-age unemployment
refund-pension-kind-disability = disability
refund-pension-kind-incapacity = permanent incapacity
refund-regime = Regime
refund-regime-ley_73 = 1973 law: you started contributing before 1 July 1997
refund-regime-ley_97 = 1997 law: you started contributing on or after 1 July 1997
refund-regime-explain-ley_73 = You can choose who pays you the 1992 and 1997 housing subaccounts: your Afore or Infonavit.
refund-regime-explain-ley_97 = Your 1992 and 1997 housing subaccounts go to your Afore to pay your pension. Infonavit pays back the 1972-1992 Savings Fund and what you have in Solo Infonavit.
refund-option = Payment option
refund-option-question = Who do you want to pay you the 1992 and 1997 housing subaccounts?
refund-option-afore_pays_scv = Option A: my Afore pays me the 1992 and 1997 subaccounts
refund-option-afore_pays_scv-hint = You will get two payments: Infonavit's with this request (Savings Fund and Solo Infonavit) and your Afore's, which you ask for at your Afore.
refund-option-infonavit_pays_all = Option B: Infonavit pays me everything
refund-option-infonavit_pays_all-hint = One deposit from Infonavit with all your savings.
refund-see-amounts = See the amounts for this option
refund-amounts-caption = Your savings by subaccount and who pays them
refund-col-bucket = Subaccount
refund-col-amount = Amount
refund-col-payer = Who pays it
refund-payer-infonavit = Infonavit, with this request
refund-payer-afore_refund = Your Afore (ask at your Afore)
refund-payer-afore_pension = Added to your pension at your Afore
refund-from-infonavit = Infonavit deposits
refund-through-afore = Through your Afore
refund-amounts-note = These are today's balances, to the centavo. Any yield credited after you sign stays in your subaccount and you can claim it later.
refund-start = Continue
refund-latest = You have a refund request with reference { $folio }: { $stage }.
refund-latest-link = See how it is going
refund-efirma-unavailable = We cannot check electronic signatures right now. Try again later or call Infonatel.

## Why it cannot go ahead and what to do

refund-hold-court_order = a court order
refund-hold-nss_unification = the merging of your social security numbers
refund-hold-beneficiary_claim = a claim by beneficiaries
refund-hold-fraud_review = a security review of your account
refund_not_eligible = You cannot ask for the refund online yet. The refund page says what stops it and what you can do.
refund_no_pension = We have no pension resolution or pension denial from IMSS on record for you.
refund_no_pension-todo = If you have retired, ask IMSS for your pension resolution and take it to an Infonavit Service Centre (CESI) to have it recorded.
refund_pension_before_2012 = Your pension was resolved on { $date }, before 13 January 2012, and those refunds are not made online.
refund_pension_before_2012-todo = Go to a CESI with your pension resolution and an official ID so they can review your case.
refund_active_credit = You have an active Infonavit credit and your savings back it.
refund_active_credit-todo = When you have paid it off you can claim what is left of your savings. Check your balance in My credit.
refund_no_balance = Your housing subaccount has no balance to refund.
refund_no_balance-todo = If you think money is missing, check your movements in My savings or call Infonatel.
refund_paid_by_afore = With the option you chose, all your savings are paid through your Afore: Infonavit has nothing to deposit.
refund_paid_by_afore-todo = Ask your Afore for your 1992 and 1997 housing subaccounts. If you started contributing before July 1997 you can also choose option B.
refund_hold = A process is holding your subaccount: { $hold }.
refund_hold-todo = Call Infonatel on 800 008 3900 to find out how it is going and when it ends.
refund_credit_application_open = You have a credit application in progress and your savings would go into that credit.
refund_credit_application_open-todo = If you no longer want the credit, cancel the application and come back here.
refund_in_process = You already have a refund request in progress.
refund_in_process-todo = Follow it with your reference number; you do not need to send another.
refund_cooling_off = You recently changed your e-mail, mobile or bank account. For your security, procedures with money wait 72 hours after a change.
refund_cooling_off-todo = You can send your request from { $until }. If you did not make the change, freeze your account and call Infonatel.

## Step: bank account

refund-steps-label = Refund steps
refund-step-amounts = Amounts
refund-step-account = Account
refund-step-check = Check
refund-step-sign = Sign
refund-account-title = Which account should we pay into?
refund-account-intro = Enter the CLABE of an account in your name. If the account belongs to someone else, the request will be refused.
refund-account-on-file = Account on file: { $bank }, ending { $ending }.
refund-account-change-note = If you change it, also enter your portal password. For your security, procedures with money wait 72 hours after a change of account, and we tell you by e-mail and SMS.
field-clabe = CLABE interbank number
field-clabe-hint = 18 digits. It is on your bank statement or in your bank's app; it is not your card number.
field-holder = The account is in my name
field-holder-hint = We can only pay into an account you hold.
field-current_password = Your portal password
field-current_password-hint = Only if you change the CLABE you had on file.
refund_holder_not_declared = Tick the box to confirm the account is in your name: we can only pay into an account of yours.
current_password_required = To change the CLABE, enter your portal password.
refund-account-save = Save and continue
refund-bank = Bank
refund-clabe = CLABE
refund-clabe-ending = ending
refund-holder-declared = The account is in your name
refund-yes = Yes
refund_no_bank_account = First give the account in your name where you want the deposit.

## Step: check

refund-check-title = Check your request before you sign it
refund-check-intro = By signing with your e.firma you confirm these details are right. If something is not, change it before you continue.
refund-pension = Pension
refund-continue-sign = Continue to sign

## Step: sign with the e.firma

refund-sign-title = Sign your request with your e.firma
refund-sign-intro = Use the e.firma (formerly FIEL) SAT gave you: your .cer file, your .key file and its password. The .key file and the password are only used to sign right now; we do not keep them.
refund-sign-summary = You are asking Infonavit to deposit { $amount } into your { $bank } account ending { $ending }.
refund-sign-no-efirma = No e.firma, or has it expired? Get or renew it with SAT (with SAT ID or at a SAT office) and come back to this step.
field-cer = Your e.firma certificate (.cer file)
field-cer-hint = The file ending in .cer.
field-key = Your e.firma private key (.key file)
field-key-hint = The file ending in .key.
field-efirma_password = Your e.firma password
field-efirma_password-hint = The one you chose at SAT. It is not this portal's password.
refund-sign-button = Sign and send request
efirma_files_missing = Choose your .cer file and your .key file and enter your e.firma password.
efirma_not_configured = We cannot check electronic signatures right now. Try again later or call Infonatel.
file_too_large = The file is too large to be an e.firma file. Check you chose your .cer and .key files.
certificate_unreadable = The .cer file is not a certificate we can read. Choose the file ending in .cer that SAT gave you.
certificate_without_rfc = The certificate has no RFC. Check it is your e.firma's.
certificate_unsupported_key = The certificate is not a SAT e.firma. Choose your e.firma's .cer.
certificate_not_yet_valid = Your e.firma is not valid yet. Wait for the start date SAT gave you and try again.
certificate_expired = Your e.firma has expired. Renew it with SAT (with SAT ID or at a SAT office) and sign again.
certificate_untrusted_issuer = The certificate was not issued by SAT. Use your e.firma's .cer file from SAT.
certificate_rfc_mismatch = The certificate belongs to another RFC. Use your own e.firma: only you can sign this request.
certificate_not_for_signing = That certificate cannot sign. Use your e.firma's .cer.
certificate_is_csd = That is a digital seal certificate (CSD) for invoices, not your e.firma. Use your e.firma's .cer.
issuer_unreadable = We cannot check electronic signatures right now. Try again later or call Infonatel.
issuers_empty = We cannot check electronic signatures right now. Try again later or call Infonatel.
key_unreadable = The .key file is not a private key we can read. Choose the file ending in .key.
key_unsupported = The .key file is protected in a way we cannot open. Use the .key SAT gave you.
key_password_wrong = The password does not open your .key file. Enter your e.firma password (not this portal's), with the same capital and small letters.
key_does_not_match_certificate = The .key file does not belong to the .cer file. Choose both files of the same e.firma.
signature_invalid = The request's signature does not match its details. We will not process it; call Infonatel.
signing_failed = We could not sign with your e.firma. Try again.
refund_answers_unreadable = We could not read this request. Call Infonatel and give your reference number.
posting_already_made = The refund of this request has already been recorded.
posting_overdraws = The subaccount balance changed and no longer covers what was asked for.

## Confirmation and follow-up

refund-sent-title = Refund request sent
refund-sent-copy = We sent you a copy by e-mail and a notice by SMS.
refund-next-title = What happens next
refund-next = We will review your request and deposit { $amount } into your { $bank } account ending { $ending } by { $date } at the latest. We will tell you by e-mail and SMS at each step.
refund-receipt = Download your receipt (PDF)
refund-status-link = See how your request is going
refund-status-title = Refund of your savings
refund-deposit = Infonavit deposit
refund-promised = Promised date
refund-signature = Electronic signature
refund-signature-valid = Signed with your e.firma (certificate number { $serial })
refund-signature-broken = The signature does not match the details: call Infonatel
refund-reason = Reason
refund-back = Back to the refund
refund-certificate-serial = e.firma certificate number
refund-digest = Request fingerprint (SHA-256)
refund-channel-web = Vivienda portal
refund-channel-app = Vivienda app
refund-channel-phone = Infonatel (phone)
refund-channel-cesi = Infonavit Service Centre (CESI)

## Bank account notices

refund-bank-registered-subject = You registered an account for your refund
refund-bank-registered-body = You registered the { $bank } account ending { $ending } to receive the refund of your savings. If it was not you, freeze your account and call Infonatel on 800 008 3900.
refund-bank-changed-subject = The account for your refund changed
refund-bank-changed-body = The account for your refund changed to the { $bank } account ending { $ending }. For your security, procedures with money will wait 72 hours. If it was not you, freeze your account and call Infonatel on 800 008 3900.
refund-bank-changed-sms = Infonavit: the account for your refund changed (ending { $ending }). If it was not you call 800 008 3900.

## Reasons staff give when deciding a refund

request-reason-pension_not_confirmed = IMSS did not confirm your pension resolution.
request-reason-deposit_refused = The bank refused the deposit: the account is closed or does not accept transfers.
