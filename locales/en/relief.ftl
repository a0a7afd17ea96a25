# Payment relief on a credit (domain.md §10): programmes, questionnaire, decision.
relief-title = Help paying your credit
relief-link = Help if you lost your job or your income fell
relief-intro = If you lost your job, your employer stopped work or your income fell, there may be help for your credit. Answer a few questions and we tell you at once whether it applies, what changes in your payments month by month, and until when.
relief-open-caption = Help for this credit today
relief-available = You can apply
relief-apply = Answer the questions
relief-not-available = Not available today
relief-retry-on = You can try again from { $date }.
relief-no-retry = For now there is no date on which you can try again for this help.
relief-grants-caption = Help this credit has received
relief-none = This credit has received no help.
relief-from-to = From { $start } to { $end }
relief-months = { $months ->
    [one] 1 month
   *[other] { $months } months
}
relief-renewal = Renewal
relief-see = See the detail month by month
relief-back = Back to the help programmes

relief-family-covid2020 = Covid-19 protection measures (2020)
relief-family-covid2020-about = Unemployment insurance paying up to 3 instalments, a 3-month deferral with no payments or interest, both, or help while your employer stopped work. Open from 15 April to 31 August 2020; a renewal is asked for in the month after the help ends.
relief-family-prorroga = Extension for job loss (prórroga)
relief-family-prorroga-about = You stop paying while you have no job: up to 12 months in a row, and up to 24 months over the life of the credit if it was granted from 1 July 1997 (12 if earlier). Since 2025 it is interest-free. Your employer stops the deduction.
relief-family-fpp = Payment-protection fund (unemployment insurance)
relief-family-fpp-about = For credits granted from 2009: the fund pays 90% of your instalment and you 10%, for up to 6 months, once every 5 years. It asks for at least 6 months of work before and 1 month without a job.

relief-programme-covid_unemployment = Unemployment insurance (Covid-19)
relief-programme-covid_deferral = Payment deferral (Covid-19)
relief-programme-covid_combined = Unemployment insurance and payment deferral (Covid-19)
relief-programme-covid_stoppage = Help during a work stoppage (Covid-19)
relief-programme-prorroga_before_1997 = Extension for job loss
relief-programme-prorroga = Extension for job loss
relief-programme-fpp = Payment-protection fund

relief-question-title = Questions for { $family }
relief-question-situation = What happened to you?
relief-situation-job_lost = I lost my job
relief-situation-employer_stopped = My employer stopped work and declared it formally
relief-situation-income_reduced = My income fell (also if you pay directly, with no employer)
relief-situation-not_affected = None of these
relief-question-since = Since when?
relief-question-since-hint = The day you lost your job, the stoppage began or your income fell. For example, 2020-04-15 (year-month-day).
relief-question-also-defer = After the unemployment insurance, I also want to defer my payments for 3 months
relief-question-pension = My job ended with a pension or a disability
relief-submit = Send and see the decision
relief_situation_missing = Choose what happened to you.
relief_since_missing = Enter since when, with year, month and day, for example 2020-04-15.
relief_since_invalid = Enter a date that exists, with year, month and day, for example 2020-04-15.
relief_since_future = The date cannot be after today.
relief_family_unknown = That help does not exist. Choose one from the list.

relief-granted-title = Granted: { $programme }
relief-already = This help was already granted by the application you sent before; it was not applied twice.
relief-granted-summary = It covers { $months } from { $start } to { $end }.
relief-suspends = Your employer must stop the deduction while it lasts: download the suspension notice in My credit and hand it to Human Resources.
relief-months-caption = What happens to your credit each month
relief-col-month = Month
relief-col-instalment = Instalment
relief-col-fund = The fund pays
relief-col-you = You pay
relief-col-waived = Interest not charged
relief-col-balance = Balance at the end of the month
relief-effect-insurance_pays = The insurance pays your whole instalment and no interest is charged.
relief-effect-deferral = You pay nothing and your balance is frozen: no interest is charged.
relief-effect-deferral_with_interest = You pay nothing, but interest is still added to your balance.
relief-effect-insurance_then_deferral = First the insurance pays your instalments; then you defer your payments with no interest.
relief-effect-interest_waived = No interest is charged; whatever is still deducted goes entirely to your balance.
relief-effect-fund_share = The fund pays most of your instalment and you the rest; interest is charged as usual.
relief-movements-note = The fund's payments and the interest not charged show in your credit's movements and statement, month by month.

relief-refused-title = We cannot grant the help for now
relief-refused-why = Why:
relief-refusal-window_closed = This help cannot be asked for on this date.
relief-refusal-credit_not_active = Your credit is already paid off or cancelled.
relief-refusal-credit_vintage = This help does not apply to credits granted on the date of yours.
relief-refusal-not_affected = With your answers, this help does not apply to you.
relief-refusal-still_employed = IMSS still reports that you have a job. Its data can take a month to update.
relief-refusal-event_before_window = What you tell us happened before the date this help covers.
relief-refusal-relief_active = Your credit already has help in force.
relief-refusal-months_used_up = You have used every month of this help your credit allows.
relief-refusal-consecutive_limit = You have used the months in a row this help allows; at least one month without it must pass.
relief-refusal-once_every_years = This help can be received once every 5 years.
relief-refusal-too_many_arrears = You are more than 3 instalments behind. Catch up and try again.
relief-refusal-paid_after_job_loss = You made direct payments after losing your job; the extension does not apply.
relief-refusal-not_enough_work = You need at least 6 months of salaried work before losing your job.
relief-refusal-too_soon_unemployed = You need at least 1 month without a job.
relief-refusal-pension_or_disability = This help does not apply when the job ended with a pension or a disability.
relief-refusal-stoppage_not_employed = IMSS reports no current job with the employer that stopped work.

relief-notice-subject = Help for your credit { $credit }: { $programme }
relief-notice-body = We granted { $programme } for your credit { $credit }, from { $start } to { $end }. In My credit, Help, you see what changes in your payments month by month.
relief_body_invalid = The request could not be read: send JSON with family, situation and since.
relief-open-from-to = It can be asked for from { $from } to { $to }.
relief-decided-on = Granted on { $date }
