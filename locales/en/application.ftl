## Apply for my credit: product, documents, review and sending

application-title = Apply for my credit
application-choose-title = Which credit do you want, and what for?
application-choose-hint = Choose one. Then you upload your documents and, before sending, check everything.
application-choice = { $product }: { $purpose }
application-product = Credit
application-purpose = What it is for
application-product-tradicional = Infonavit credit
application-product-cofinavit = Cofinavit (Infonavit and a bank)
application-product-mejoravit = Mejoravit
application-product-unamos_creditos = Unamos Créditos
application-purpose-buy = buy a home
application-purpose-build = build on your land
application-purpose-improve = extend or repair your home
application-purpose-pay_off_mortgage = pay off a mortgage you have elsewhere
application-course-first = Before you send your application you need to pass the course "Saber más para decidir mejor". It takes about 15 minutes.
application-go-to-course = Go to the course
application-continue = Continue
application-free = Every procedure is free and personal. Nobody may charge you for it.
application-back-to-credit = Back to I want a credit
application-back = Back to your application

application-draft-title = Your credit application
application-change = Change
application-documents = Your documents
application-documents-hint = Upload each document as a PDF, JPG or PNG of up to { $mb } MB. You can replace or remove it until you send the application.
application-doc-kept = Uploaded:
application-doc-delete = Remove this file
application-doc-replace = Replace with another file
application-doc-choose = Choose the file
application-doc-upload = Upload
application-doc-missing = Missing
application-course = Course "Saber más para decidir mejor"
application-course-done = You passed the course.
application-review = Check and send

application-doc-official_id = Current official ID
application-doc-official_id-hint = Your voter card (INE), both sides, or your passport.
application-doc-birth_certificate = Birth certificate
application-doc-birth_certificate-hint = Complete and readable.
application-doc-tax_id = Tax status certificate (RFC)
application-doc-tax_id-hint = Download it free from the SAT portal.
application-doc-appraisal = Appraisal of the home
application-doc-appraisal-hint = Made by an appraisal firm authorised by Infonavit.
application-doc-title_deed = Title deed of the home or land
application-doc-title_deed-hint = Every page, with the public registry's data.
application-doc-seller_bank_statement = Seller's bank statement
application-doc-seller_bank_statement-hint = With their CLABE, no older than 2 months.
application-doc-works_budget = Budget of the works
application-doc-works_budget-hint = What you will build or repair and what it costs.
application-doc-mortgage_statement = Balance of your current mortgage
application-doc-mortgage_statement-hint = Your bank's letter with what you owe today.
application-doc-bank_approval = Bank approval
application-doc-bank_approval-hint = The letter of the bank that lends the other part of your Cofinavit.

application-check-title = Check your application before sending it
application-declaration = By sending, you declare the documents are yours and true. We will let you know by e-mail and text message every time your application changes.
application-send = Send application

application-status-title = Credit application
application-sent-title = We received your credit application
application-sent-next = We will review your documents. We will let you know by e-mail and text message every time your application changes. If something is missing, we will tell you what to correct.
application-next = Whose turn it is
application-reason = Reason
application-promised = We will answer by
application-elapsed = Time elapsed

application-error-application_choice = Choose a credit and what you want it for.
application-error-application_item = That document is not one your application asks for. Upload it where it belongs.
application-error-file_empty = The file is empty. Choose the file again; if you scanned it, check it was saved properly.
application-error-file_too_large = The file is larger than 20 MB. Scan it at a lower resolution or in black and white and upload it again.
application-error-file_type = The file is not a PDF, JPG or PNG, whatever its name says. Save it as a PDF or take a photo and upload that.
application-error-file_incomplete = The file is incomplete or damaged and cannot be opened. Save it again and upload it again.
application-error-file_infected = The file has a virus and was not kept. Scan the paper document again.
application-error-file_scan_failed = We could not check the file just now. Try again in a few minutes.
application-error-storage_full = We could not keep your document because our storage is full. Nothing of this file was kept. Please try again later; we have been alerted.
application-error-file_interrupted = The file did not arrive whole. Check your connection and try again.
application-error-application_not_draft = Your application was sent and can no longer change. You can follow it on this page.
application-error-application_already_open = You already have a credit application in process. You can follow it in My procedures.
application-error-course_required = Before you send your application you need to pass the course "Saber más para decidir mejor".
application-error-application_documents_missing = Some documents are still missing. Upload them and check your application again.
application-error-request_not_permitted = You cannot make this change to your application.
application-error-request_closed = Your application is finished and cannot change.
application-error-request_wrong_state = Your application was sent and can no longer change.
application-error-request_state_changed = Your application changed while you were looking at it. Open it again.
application-error-request_already_open = You already have a credit application in process. You can follow it in My procedures.
application-error-request_answers_too_large = Your application holds too much data. Call Infonatel.
application-error-member_not_found = We could not find your record. Call Infonatel.
application-error-request_not_found = We could not find that application.

procedure-credit-application = Credit application
procedure-credit-application-hint = Choose your credit, upload your documents and follow your application.
document-course_certificate = Certificate of the course "Saber más para decidir mejor"

## Course "Saber más para decidir mejor"

course-title = Course "Saber más para decidir mejor"
course-intro = This course is required to apply for a credit. It has 5 short pages and a quiz of 6 questions. When you pass it, you get a certificate.
course-contents = Contents of the course
course-next = Next
course-to-quiz = Go to the quiz
course-go = Go to the course
course-certificate = Download your certificate (PDF)
course-passed-title = You passed the course
course-passed-text = Your certificate is saved. We take it into account when you send your credit application.
course-not-passed = You have not passed the course yet. Once you pass the quiz you can download your certificate.
course-quiz-title = Final quiz
course-quiz-failed-title = Final quiz: not passed yet
course-failed-title = Not passed yet
course-score = You got { $score } of { $out_of } answers right.
course-pass-mark = To pass you need { $mark } right answers. You can try as many times as you like.
course-check = Check my answers
course-to-application = Continue with your credit application

course-que-es-un-credito-title = What a credit is
course-que-es-un-credito-1 = A credit is money lent to you that you pay back later, little by little, with interest.
course-que-es-un-credito-2 = With an Infonavit credit you can buy a home, build on your land, repair it or pay off a mortgage you have elsewhere.
course-que-es-un-credito-3 = What you saved in your housing subaccount is added to the credit. Ask only for what you can pay.

course-cuanto-cuesta-title = What it costs
course-cuanto-cuesta-1 = A credit costs more than what is lent: you pay interest, opening fees and insurance.
course-cuanto-cuesta-2 = The interest rate depends on your wage. If you earn less, you pay a lower rate.
course-cuanto-cuesta-3 = Compare the total you will pay, not only the monthly payment.

course-pagos-y-descuentos-title = Payments and payroll discounts
course-pagos-y-descuentos-1 = While you have a job, your employer takes the payment from your wage and hands it to Infonavit.
course-pagos-y-descuentos-2 = Your employer also contributes 5% of your wage, which goes to your credit.
course-pagos-y-descuentos-3 = If you change jobs, give your credit number to your new employer so the discount continues.

course-seguros-y-desempleo-title = Insurance, and what happens if you lose your job
course-seguros-y-desempleo-1 = Your credit has life and disability insurance: if you die or can no longer work, the insurance pays the debt.
course-seguros-y-desempleo-2 = If you lose your job, tell Infonavit and ask for payment protection or an extension. Do not stop paying without telling.
course-seguros-y-desempleo-3 = While you have no job, you can pay on your own at a bank or in shops.

course-tus-derechos-title = Your rights
course-tus-derechos-1 = Every Infonavit procedure is free and personal. You do not need to pay anyone to apply for your credit.
course-tus-derechos-2 = You have the right to know what you owe, to receive your statement and to have every charge explained.
course-tus-derechos-3 = If someone asks you for money to help you, do not give it and report it to Infonatel.

course-q1 = What is a credit?
course-q1-0 = Money given to you.
course-q1-1 = Money lent to you that you pay back later, with interest.
course-q1-2 = Your savings in the housing subaccount.
course-q1-why = A credit is a loan: you pay it back little by little, with interest.

course-q2 = What does the cost of the credit include?
course-q2-0 = Only what is lent.
course-q2-1 = Only the interest.
course-q2-2 = Interest, fees and insurance.
course-q2-why = Besides what is lent, you pay interest, fees and insurance. Compare the total.

course-q3 = While you have a job, how do you pay your credit?
course-q3-0 = Your employer takes it from your wage.
course-q3-1 = You go to an Infonavit office every month.
course-q3-2 = You pay nothing while you work.
course-q3-why = Your employer takes the payment from your wage and hands it to Infonavit.

course-q4 = If you lose your job, what should you do?
course-q4-0 = Stop paying until you find another.
course-q4-1 = Tell Infonavit and ask for payment protection.
course-q4-2 = Sell the home at once.
course-q4-why = Tell Infonavit: you can ask for payment protection or an extension.

course-q5 = Who may apply for your credit for you in exchange for money?
course-q5-0 = An agent who knows Infonavit.
course-q5-1 = Anyone with your password.
course-q5-2 = Nobody: procedures are free and personal.
course-q5-why = Procedures are free and personal. If someone charges you, report it to Infonatel.

course-q6 = What does your credit's life and disability insurance cover?
course-q6-0 = The debt, if you die or can no longer work.
course-q6-1 = Repairs to the home.
course-q6-2 = Payments you forget.
course-q6-why = If you die or can no longer work, the insurance pays what you owe.

## Unamos Créditos

unamos-title = Unamos Créditos
unamos-lead = Join your credit with another person's (your partner, a relative or a friend) to buy a home together. Each of you is evaluated separately, with your own rate.
unamos-make-title = If you invite
unamos-make-text = Make a code and give it to the other person. They type it in their account. The code works once and for 24 hours.
unamos-make = Make a code
unamos-code-title = Your Unamos Créditos code
unamos-code-text = Give it only to the person you will join your credit with. Do not share it with anyone else.
unamos-join-title = If you were given a code
unamos-code-label = The code you were given
unamos-code-hint = 10 letters and digits, for example AB3CD-EF4GH.
unamos-join = Join our credits
unamos-yes = Yes
unamos-no = Not yet
unamos-you-qualify = You meet the requirements
unamos-partner-qualifies = The other person meets the requirements
unamos-pooled = Credit you can get together
unamos-not-available = Not available until both of you meet the requirements
unamos-cap = Unamos Créditos maximum
unamos-your-credit = Your part of the credit
unamos-your-payment = Your estimated monthly payment
unamos-privacy = Of the other person you only see whether they meet the requirements and the total you can get together. They do not see your data either.
unamos-leave = Stop joining our credits
unamos-error-partner_code_invalid = The code is not valid or has expired. Ask the other person to make a new one.
unamos-error-partner_self = You made that code. Give it to the other person so they type it.
unamos-error-partner_taken = You or the other person already joined your credit with someone. End that first.
unamos-error-member_not_found = We could not find your record. Call Infonatel.
credit-next-steps = Next steps
credit-next-course = Take the course "Saber más para decidir mejor"
credit-next-apply = Apply for your credit
credit-next-unamos = Join your credit with another person (Unamos Créditos)
