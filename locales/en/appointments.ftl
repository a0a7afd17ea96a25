## Procedures and appointments at an Infonavit Service Centre (CESI)

procedures-title = Procedures
procedures-intro = Do your procedures online. Those that still need a visit to an office start with an appointment.
procedures-available = Available procedures
procedures-coming = Coming soon
procedure-appointments = Appointments at a CESI
procedure-appointments-hint = Book, change or cancel an appointment at an Infonavit Service Centre.
procedure-pensioner-refund = Savings refund for pensioners
procedure-pensioner-refund-hint = Ask for the refund of your housing subaccount with your e.firma.
procedure-data-correction = Data correction
procedure-data-correction-hint = Correct your name, CURP or RFC in Infonavit's records.

## What an appointment is for

appointment-procedure-savings_fund_refund = Refund of the 1972-1992 Savings Fund
appointment-procedure-savings_fund_refund-hint = If you worked between 1972 and 1992 and have not received those savings.
appointment-procedure-credit_formalization = Credit registration and signing
appointment-procedure-credit_formalization-hint = To sign your credit once it is approved.
appointment-procedure-restructuring = Credit restructuring
appointment-procedure-restructuring-hint = If you cannot pay your monthly instalment and need to change the terms.
appointment-procedure-payment_agreement = Payment agreement
appointment-procedure-payment_agreement-hint = To catch up if you are behind on payments.
appointment-procedure-insurance_release = Debt release by insurance (disability or death)
appointment-procedure-insurance_release-hint = When the credit's insurance covers the debt.
appointment-procedure-overpayment_refund = Refund of overpayments
appointment-procedure-overpayment_refund-hint = If you paid more than you owed on your credit.
appointment-procedure-credit_cancellation = Credit cancellation
appointment-procedure-credit_cancellation-hint = If you no longer want the credit you applied for.
appointment-procedure-identity_validation = Identity check
appointment-procedure-identity_validation-hint = If you lost access to your account's e-mail and need a new account.

appointment-bring-official_id = Valid official ID (INE, passport or professional licence)
appointment-bring-curp = CURP
appointment-bring-nss_proof = A document showing your Social Security Number (NSS)
appointment-bring-employment_1972_1992 = Proof that you worked between 1972 and 1992 (pink sheet, payslips or an employer's letter)
appointment-bring-bank_statement = A bank statement in your name showing the CLABE
appointment-bring-birth_certificate = Birth certificate
appointment-bring-credit_application = Signed credit registration form
appointment-bring-credit_number = Your credit number
appointment-bring-proof_of_income = Proof of income for the last three months
appointment-bring-disability_or_death_proof = Disability ruling or death certificate
appointment-bring-payslips = Payslips showing the extra deductions

## Errors

slot_full = That time is now full. Choose another.
appointment_already_booked = You already have an appointment to come for this procedure. Change or cancel it before booking another.
appointment_time_taken = You already have another appointment at that time. Choose another time.
appointment_in_the_past = That day has passed. Choose a day from tomorrow on.
appointment_outside_window = You can book from tomorrow up to 30 days from today.
slot_not_offered = The office does not see people on that day or at that time. Choose one from the list.
appointment_too_late_to_change = The appointment is today or has passed: it can no longer be changed or cancelled online. Call Infonatel.
appointment_state_changed = The appointment changed while you were looking at it. Check it again.
appointment_cancelled = This appointment is cancelled.
appointment_same_slot = Your appointment is already at that time. Choose another time.
appointment_not_found = We could not find that appointment among yours.
appointment_not_permitted = You cannot do this with this appointment.
office_not_found = We could not find that office. Choose one from the list.
procedure_unknown = Choose one of the procedures in the list.
member_not_found = We could not find your details in the registry.
state_invalid = Choose a state from the list.
appointment-choose-procedure = Choose the procedure you will do.
appointment-choose-state = Choose the state where you want your appointment.
appointment-choose-office = Choose an office.
appointment-choose-day = Choose a day.
appointment-choose-time = Choose a time.

## Pages

appointments-title = My appointments
appointments-intro = Some procedures are still done at an Infonavit Service Centre (CESI). Book your appointment here: it is free.
appointments-book = Book an appointment
appointments-upcoming = Upcoming appointments
appointments-none = You have no upcoming appointments.
appointments-past = Past and cancelled appointments
appointments-back = Back to My appointments
appointment-back = Back
appointments-cancelled-notice = You cancelled appointment { $folio }. The time is free for someone else.
appointment-new-title = Book an appointment
appointment-steps-label = Steps to book an appointment
appointment-step-procedure = Procedure
appointment-step-state = State
appointment-step-office = Office
appointment-step-day = Day
appointment-step-time = Time
appointment-procedure-question = Which procedure will you do?
appointment-state-question = In which state do you want your appointment?
appointment-office-question = At which office?
appointment-day-question = On which day?
appointment-time-question = At what time?
appointment-no-days = This office has no free places in the next 30 days. Choose another office.
appointment-places-left = { $free ->
    [one] 1 place left
   *[other] { $free } places left
}
appointment-hours = Opening hours
appointment-check-title = Check your appointment before you confirm it
appointment-confirm = Confirm appointment
appointment-procedure = Procedure
appointment-office = Office
appointment-address = Address
appointment-when = Date and time
appointment-time-local = { $time }, the office's local time
appointment-folio = Reference
appointment-status = Status
appointment-status-booked = Booked
appointment-status-cancelled = Cancelled
appointment-status-past = Past
appointment-channel = Booked through
appointment-channel-web = Portal
appointment-channel-app = App
appointment-channel-phone = Infonatel (phone)
appointment-channel-cesi = At a CESI
appointment-channel-system = Automatic process
appointment-title = Your appointment
appointment-booked-title = Appointment booked
appointment-rescheduled-title = You changed your appointment
appointment-booked-next = We sent the confirmation to your e-mail and mobile. We will remind you the day before.
appointment-bring-title = What to bring
appointment-bring-receipt = Bring your receipt too, printed or on your phone.
appointment-receipt = Download the receipt (PDF)
appointment-reschedule = Change date or time
appointment-cancel = Cancel the appointment
appointment-change-until = You can change or cancel it online until the day before.
appointment-reschedule-title = Change the date or time of your appointment
appointment-reschedule-intro = Your current appointment stays until you confirm the new time.
appointment-reschedule-confirm = Change to this time
appointment-cancel-title = Cancel your appointment?
appointment-cancel-warning = If you cancel it, the time will be free for someone else.
appointment-cancel-confirm = Yes, cancel the appointment
appointment-cancel-keep = No, keep it

## E-mail and SMS notices

appointment-subject-booked = Your appointment at { $office }, reference { $folio }
appointment-subject-rescheduled = You changed your appointment, reference { $folio }
appointment-subject-cancelled = You cancelled your appointment, reference { $folio }
appointment-subject-reminder = Your appointment at { $office } is tomorrow, reference { $folio }
appointment-notice-booked = You booked an appointment for { $procedure } on { $date } at { $time } (local time) at { $office }, { $address }. Your reference is { $folio }. Download your receipt in the portal, under Procedures › Appointments at a CESI. If you cannot go, change or cancel it by the day before.
appointment-notice-rescheduled = Your appointment for { $procedure } (reference { $folio }) is now on { $date } at { $time } (local time) at { $office }, { $address }. Download the new receipt in the portal.
appointment-notice-cancelled = You cancelled your appointment of { $date } at { $time } at { $office } (reference { $folio }). If this was not you, call Infonatel on 800 008 3900.
appointment-notice-reminder = A reminder of your appointment tomorrow, { $date }, at { $time } (local time) at { $office }, { $address }, for { $procedure }. Reference { $folio }. Bring your official ID and your receipt.
appointment-sms-booked = Infonavit: appointment { $folio } on { $date } at { $time } at { $office }. You can change it until the day before.
appointment-sms-rescheduled = Infonavit: your appointment { $folio } is now on { $date } at { $time } at { $office }.
appointment-sms-reminder = Infonavit: your appointment { $folio } at { $office } is tomorrow at { $time }. Bring your ID.

weekday-1 = Monday
weekday-2 = Tuesday
weekday-3 = Wednesday
weekday-4 = Thursday
weekday-5 = Friday
weekday-6 = Saturday
weekday-7 = Sunday
