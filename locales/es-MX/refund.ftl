## Devolución del ahorro a personas pensionadas (Trámites)

refund-title = Devolución de tu ahorro para la vivienda
refund-intro = Si te pensionaste y no usaste tu ahorro del Infonavit en un crédito, te lo devolvemos en una cuenta bancaria a tu nombre. El depósito llega en un plazo de 10 días hábiles.
refund-warning = Nadie puede cobrarte por este trámite ni hacerlo por ti. Tu ahorro solo se deposita en una cuenta a tu nombre, nunca en efectivo.
refund-warning-assistive = Advertencia
refund-eligible-title = Puedes pedir tu devolución en línea
refund-not-eligible-title = Por ahora no puedes pedir la devolución en línea
refund-not-eligible-intro = Esto es lo que lo impide y lo que puedes hacer:
refund-pension-granted = Tu pensión ({ $kind }) se resolvió el { $date }.
refund-pension-denied = Tienes una negativa de pensión ({ $kind }) del { $date }.
refund-pension-kind-old_age = vejez
refund-pension-kind-severance = cesantía en edad avanzada
refund-pension-kind-disability = invalidez
refund-pension-kind-incapacity = incapacidad permanente
refund-regime = Régimen
refund-regime-ley_73 = Ley 73: empezaste a cotizar antes del 1 de julio de 1997
refund-regime-ley_97 = Ley 97: empezaste a cotizar a partir del 1 de julio de 1997
refund-regime-explain-ley_73 = Puedes elegir quién te paga las Subcuentas de Vivienda 1992 y 1997: tu Afore o el Infonavit.
refund-regime-explain-ley_97 = Tus Subcuentas de Vivienda 1992 y 1997 se suman a tu Afore para pagar tu pensión. El Infonavit te devuelve el Fondo de Ahorro 1972-1992 y lo que tengas en Solo Infonavit.
refund-option = Opción de pago
refund-option-question = ¿Quién quieres que te pague tus Subcuentas de Vivienda 1992 y 1997?
refund-option-afore_pays_scv = Opción A: mi Afore me paga las Subcuentas 1992 y 1997
refund-option-afore_pays_scv-hint = Recibirás dos pagos: el del Infonavit con esta solicitud (Fondo de Ahorro y Solo Infonavit) y el de tu Afore, que debes pedir directamente en tu Afore.
refund-option-infonavit_pays_all = Opción B: el Infonavit me paga todo
refund-option-infonavit_pays_all-hint = Un solo depósito del Infonavit a tu cuenta con todo tu ahorro.
refund-see-amounts = Ver los montos de esta opción
refund-amounts-caption = Tu ahorro por subcuenta y quién te lo paga
refund-col-bucket = Subcuenta
refund-col-amount = Monto
refund-col-payer = Quién te lo paga
refund-payer-infonavit = El Infonavit, con esta solicitud
refund-payer-afore_refund = Tu Afore (pídelo en tu Afore)
refund-payer-afore_pension = Se suma a tu pensión en tu Afore
refund-from-infonavit = El Infonavit te deposita
refund-through-afore = Por medio de tu Afore
refund-amounts-note = Son tus saldos de hoy, al centavo. Si después de firmar recibes rendimientos, se quedan en tu subcuenta y puedes pedirlos más adelante.
refund-start = Continuar
refund-latest = Tienes una solicitud de devolución con folio { $folio }: { $stage }.
refund-latest-link = Ver cómo va
refund-efirma-unavailable = Por ahora no podemos revisar firmas electrónicas. Intenta más tarde o llama a Infonatel.

## Por qué no procede y qué hacer

refund-hold-court_order = una orden judicial
refund-hold-nss_unification = la unificación de tus números de seguridad social
refund-hold-beneficiary_claim = una reclamación de beneficiarios
refund-hold-fraud_review = una revisión de seguridad de tu cuenta
refund_not_eligible = Por ahora no puedes pedir la devolución en línea. Revisa en la página de la devolución qué lo impide y qué puedes hacer.
refund_no_pension = No tenemos registrada tu resolución de pensión ni una negativa de pensión del IMSS.
refund_no_pension-todo = Si ya te pensionaste, pide al IMSS tu resolución de pensión y llévala a un Centro de Servicio Infonavit (CESI) para que la registren.
refund_pension_before_2012 = Tu pensión se resolvió el { $date }, antes del 13 de enero de 2012, y para esas pensiones la devolución no se hace en línea.
refund_pension_before_2012-todo = Acude a un CESI con tu resolución de pensión y una identificación oficial para que revisen tu caso.
refund_active_credit = Tienes un crédito vigente con el Infonavit y tu ahorro lo respalda.
refund_active_credit-todo = Cuando termines de pagarlo podrás pedir lo que quede de tu ahorro. Consulta tu saldo en Mi crédito.
refund_no_balance = Tu Subcuenta de Vivienda no tiene saldo que devolver.
refund_no_balance-todo = Si crees que falta dinero, revisa tus movimientos en Mi ahorro o llama a Infonatel.
refund_paid_by_afore = Con la opción que elegiste, todo tu ahorro se paga por medio de tu Afore: el Infonavit no tiene nada que depositarte.
refund_paid_by_afore-todo = Pide tus Subcuentas de Vivienda 1992 y 1997 en tu Afore. Si empezaste a cotizar antes de julio de 1997, también puedes elegir la opción B.
refund_hold = Tu subcuenta está detenida por { $hold }.
refund_hold-todo = Llama a Infonatel al 800 008 3900 para saber en qué va y cuándo termina.
refund_credit_application_open = Tienes una solicitud de crédito en trámite y tu ahorro se usaría en ese crédito.
refund_credit_application_open-todo = Si ya no quieres el crédito, cancela la solicitud y vuelve aquí.
refund_in_process = Ya tienes una solicitud de devolución en trámite.
refund_in_process-todo = Sigue su avance con tu folio; no necesitas enviar otra.
refund_cooling_off = Cambiaste tu correo, tu celular o tu cuenta bancaria hace poco. Por tu seguridad, los trámites con dinero esperan 72 horas después de un cambio.
refund_cooling_off-todo = Podrás enviar tu solicitud a partir del { $until }. Si tú no hiciste el cambio, congela tu cuenta y llama a Infonatel.

## Paso: cuenta bancaria

refund-steps-label = Pasos de la devolución
refund-step-amounts = Montos
refund-step-account = Cuenta
refund-step-check = Revisa
refund-step-sign = Firma
refund-account-title = ¿En qué cuenta te depositamos?
refund-account-intro = Escribe la CLABE (Clave Bancaria Estandarizada) de una cuenta a tu nombre. Si la cuenta es de otra persona, no podremos hacer la devolución.
refund-account-on-file = Cuenta registrada: { $bank }, terminación { $ending }.
refund-account-change-note = Si la cambias, escribe también tu contraseña del portal. Por seguridad, después de un cambio de cuenta los trámites con dinero esperan 72 horas y te avisamos por correo y SMS.
field-clabe = CLABE interbancaria
field-clabe-hint = Son 18 dígitos. Está en tu estado de cuenta o en la app de tu banco; no es el número de tu tarjeta.
field-holder = La cuenta está a mi nombre
field-holder-hint = Solo podemos depositar en una cuenta a tu nombre.
field-current_password = Tu contraseña del portal
field-current_password-hint = Solo si cambias la CLABE que ya tenías registrada.
refund_holder_not_declared = Marca la casilla para confirmar que la cuenta está a tu nombre: solo podemos depositar en una cuenta tuya.
current_password_required = Para cambiar la CLABE, escribe tu contraseña del portal.
refund-account-save = Guardar y continuar
refund-bank = Banco
refund-clabe = CLABE
refund-clabe-ending = terminación
refund-holder-declared = La cuenta está a tu nombre
refund-yes = Sí
refund_no_bank_account = Primero registra la cuenta a tu nombre en la que quieres recibir el depósito.

## Paso: revisa

refund-check-title = Revisa tu solicitud antes de firmarla
refund-check-intro = Al firmar con tu e.firma confirmas que estos datos son correctos. Si algo no lo es, cámbialo antes de continuar.
refund-pension = Pensión
refund-continue-sign = Continuar a firmar

## Paso: firma con e.firma

refund-sign-title = Firma tu solicitud con tu e.firma
refund-sign-intro = Usa la e.firma (antes FIEL) que te dio el SAT: tu archivo .cer, tu archivo .key y su contraseña. El archivo .key y la contraseña solo se usan para firmar en este momento; no los guardamos.
refund-sign-summary = Vas a pedir que el Infonavit deposite { $amount } en tu cuenta de { $bank } con terminación { $ending }.
refund-sign-no-efirma = ¿No tienes e.firma o ya venció? Tramítala o renuévala en el SAT (con SAT ID o en una oficina del SAT) y vuelve a este paso.
field-cer = Certificado de tu e.firma (archivo .cer)
field-cer-hint = El archivo que termina en .cer.
field-key = Clave privada de tu e.firma (archivo .key)
field-key-hint = El archivo que termina en .key.
field-efirma_password = Contraseña de tu e.firma
field-efirma_password-hint = La que elegiste al tramitarla en el SAT. No es la contraseña de este portal.
refund-sign-button = Firmar y enviar solicitud
efirma_files_missing = Elige tu archivo .cer y tu archivo .key y escribe la contraseña de tu e.firma.
efirma_not_configured = Por ahora no podemos revisar firmas electrónicas. Intenta más tarde o llama a Infonatel.
file_too_large = El archivo es demasiado grande para ser de una e.firma. Revisa que elegiste tu archivo .cer y tu archivo .key.
certificate_unreadable = El archivo .cer no es un certificado que podamos leer. Elige el archivo que termina en .cer que te dio el SAT.
certificate_without_rfc = El certificado no tiene un RFC. Revisa que sea el de tu e.firma.
certificate_unsupported_key = El certificado no es de una e.firma del SAT. Elige el .cer de tu e.firma.
certificate_not_yet_valid = Tu e.firma todavía no está vigente. Espera a la fecha de inicio que te dio el SAT y vuelve a intentarlo.
certificate_expired = Tu e.firma ya venció. Renuévala en el SAT (con SAT ID o en una oficina del SAT) y vuelve a firmar.
certificate_untrusted_issuer = El certificado no lo emitió el SAT. Usa el archivo .cer de tu e.firma que te dio el SAT.
certificate_rfc_mismatch = El certificado es de otro RFC. Usa tu propia e.firma: la solicitud solo la puedes firmar tú.
certificate_not_for_signing = Ese certificado no sirve para firmar. Usa el .cer de tu e.firma.
certificate_is_csd = Ese es un certificado de sello digital (CSD) para facturar, no tu e.firma. Usa el .cer de tu e.firma.
issuer_unreadable = Por ahora no podemos revisar firmas electrónicas. Intenta más tarde o llama a Infonatel.
issuers_empty = Por ahora no podemos revisar firmas electrónicas. Intenta más tarde o llama a Infonatel.
key_unreadable = El archivo .key no es una clave privada que podamos leer. Elige el archivo que termina en .key.
key_unsupported = El archivo .key está protegido de una forma que no podemos abrir. Usa el .key que te dio el SAT.
key_password_wrong = La contraseña no abre tu archivo .key. Escribe la contraseña de tu e.firma (no la de este portal), respetando mayúsculas y minúsculas.
key_does_not_match_certificate = El archivo .key no corresponde al archivo .cer. Elige los dos archivos de la misma e.firma.
signature_invalid = La firma de la solicitud no corresponde a sus datos. No la procesaremos; llama a Infonatel.
signing_failed = No pudimos firmar con tu e.firma. Intenta de nuevo.
refund_answers_unreadable = No pudimos leer esta solicitud. Llama a Infonatel y da tu folio.
posting_already_made = La devolución de esta solicitud ya se registró.
posting_overdraws = El saldo de la subcuenta cambió y ya no alcanza para lo que se pidió.

## Confirmación y seguimiento

refund-sent-title = Solicitud de devolución enviada
refund-sent-copy = Te enviamos una copia a tu correo y un aviso por SMS.
refund-next-title = Qué sigue
refund-next = Revisaremos tu solicitud y depositaremos { $amount } en tu cuenta de { $bank } con terminación { $ending } a más tardar el { $date }. Te avisaremos por correo y SMS en cada paso.
refund-receipt = Descargar tu acuse (PDF)
refund-status-link = Ver cómo va tu solicitud
refund-status-title = Devolución de tu ahorro
refund-deposit = Depósito del Infonavit
refund-promised = Fecha compromiso
refund-signature = Firma electrónica
refund-signature-valid = Firmada con tu e.firma (certificado número { $serial })
refund-signature-broken = La firma no corresponde a los datos: llama a Infonatel
refund-reason = Motivo
refund-back = Volver a la devolución
refund-certificate-serial = Número de certificado de la e.firma
refund-digest = Huella digital de la solicitud (SHA-256)
refund-channel-web = Portal Vivienda
refund-channel-app = App Vivienda
refund-channel-phone = Infonatel (teléfono)
refund-channel-cesi = Centro de Servicio Infonavit (CESI)

## Avisos de la cuenta bancaria

refund-bank-registered-subject = Registraste una cuenta para tu devolución
refund-bank-registered-body = Registraste la cuenta de { $bank } con terminación { $ending } para recibir la devolución de tu ahorro. Si no fuiste tú, congela tu cuenta y llama a Infonatel al 800 008 3900.
refund-bank-changed-subject = Cambió la cuenta para tu devolución
refund-bank-changed-body = La cuenta para recibir tu devolución cambió a la de { $bank } con terminación { $ending }. Por seguridad, los trámites con dinero esperarán 72 horas. Si no fuiste tú, congela tu cuenta y llama a Infonatel al 800 008 3900.
refund-bank-changed-sms = Infonavit: cambio la cuenta para tu devolucion (terminacion { $ending }). Si no fuiste tu, llama al 800 008 3900.

## Motivos con que el personal resuelve una devolución

request-reason-pension_not_confirmed = El IMSS no confirmó tu resolución de pensión. Pide tu resolución al IMSS y llévala a un Centro de Servicio Infonavit (CESI).
request-reason-deposit_refused = El banco rechazó el depósito: la cuenta está cancelada o no acepta transferencias. Registra otra cuenta a tu nombre.
