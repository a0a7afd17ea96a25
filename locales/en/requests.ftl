## Requests: folio, timeline and promised date

request-kind-credit_application = Credit application
request-kind-cancellation_letter = Mortgage cancellation letter
request-kind-deeds = Delivery of deeds
request-kind-overpayment_refund = Refund of overpayments
request-kind-pensioner_refund = Savings refund for pensioners
request-kind-data_correction = Data correction

request-stage-draft = Draft
request-stage-submitted = Received
request-stage-in_review = In review
request-stage-needs_correction = Needs a correction
request-stage-approved = Approved
request-stage-rejected = Not granted
request-stage-done = Completed
request-stage-cancelled = Cancelled

request-event-draft_saved = You saved a draft
request-event-submitted = The request was sent
request-event-review_started = We started reviewing it
request-event-correction_requested = We asked you for a correction
request-event-resubmitted = You sent the correction
request-event-approved = We approved it
request-event-rejected = It was not granted
request-event-completed = The request was completed
request-event-cancelled = It was cancelled

request-by-member = You
request-by-operator = Infonavit staff
request-by-system = Automatic process

request-owner-member = It is your turn
request-owner-fund = It is Infonavit's turn
request-owner-nobody = The request is finished

request-action-submit = Send request
request-action-start_review = Start review
request-action-ask_for_correction = Ask for a correction
request-action-resubmit = Send correction
request-action-approve = Approve
request-action-reject = Refuse
request-action-complete = Mark as completed
request-action-cancel = Cancel request

request-promised = We will answer by { $promised } at the latest.
request-days-elapsed = { $elapsed ->
    [one] 1 business day has passed since you sent it.
   *[other] { $elapsed } business days have passed since you sent it.
}
request-overdue = The promised date has passed. If you have no answer, call Infonatel and give your folio.
request-estimate = This time is an estimate: Infonavit does not publish an official time for this request.

## Reasons (why refused, or what to correct)

request-reason-other = See the details in My requests or call Infonatel.
request-reason-documents_missing = A document the request needs is missing.
request-reason-document_illegible = A document cannot be read. Upload it again in good light and uncropped.
request-reason-deed_scan_illegible = The copy of the deed cannot be read. Upload it again, complete and legible.
request-reason-data_mismatch = The data in the request does not match Infonavit's records.
request-reason-balance_not_zero = Your credit still has a balance. The letter is issued when the balance is zero.
request-reason-active_credit = You have a current Infonavit credit.
request-reason-not_eligible = You do not meet the requirements of this request yet.
request-reason-clabe_not_in_member_name = The CLABE account is not in your name.

## E-mail and SMS notices

request-notice-subject = { $kind }, folio { $folio }: { $stage }
request-notice-submitted = We received your { $kind } request, folio { $folio }. We will answer by { $promised } at the latest. You can follow it in My requests.
request-notice-review_started = We started reviewing your { $kind } request, folio { $folio }. We will answer by { $promised } at the latest.
request-notice-correction_requested = We need you to correct something in your { $kind } request, folio { $folio }: { $reason } Go to My requests to do it.
request-notice-resubmitted = We received your correction to the { $kind } request, folio { $folio }.
request-notice-approved = Your { $kind } request, folio { $folio }, was approved. We will let you know when it is completed.
request-notice-rejected = Your { $kind } request, folio { $folio }, was not granted. Reason: { $reason } If you have questions, call Infonatel and give your folio.
request-notice-completed = Your { $kind } request, folio { $folio }, is completed.
request-notice-cancelled = Your { $kind } request, folio { $folio }, was cancelled. If it was not you, call Infonatel.
request-sms-submitted = Infonavit: we received your request, folio { $folio }. Answer by { $promised } at the latest.
request-sms-correction_requested = Infonavit: your request { $folio } needs a correction. See My requests.
request-sms-approved = Infonavit: your request { $folio } was approved.
request-sms-rejected = Infonavit: your request { $folio } was not granted. Details in My requests.
request-sms-completed = Infonavit: your request { $folio } is completed.

## Errors

request_not_found = We found no request of yours with that folio. Check that it is written correctly.
request_closed = This request is finished: it cannot be changed.
request_wrong_state = That action does not apply to the request as it stands.
request_not_permitted = You cannot take that action on this request.
request_already_open = You already have a request of this kind in progress. Follow it with its reference number.
request_state_changed = The request changed while you were looking at it. Check it again before you go on.
request_answers_too_large = The request is too long. Attach documents as files instead of typing them.
folio_format = A folio looks like this: CAN-2026-7KQ2M9XA0. Check that it is complete.
folio_check = A letter or number of the folio does not match. Check that it is written correctly.
