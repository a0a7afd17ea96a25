## Trámites: solicitudes con folio, línea de tiempo y fecha compromiso

request-kind-credit_application = Solicitud de crédito
request-kind-cancellation_letter = Carta de cancelación de hipoteca
request-kind-deeds = Entrega de escrituras
request-kind-overpayment_refund = Devolución de pagos en exceso
request-kind-pensioner_refund = Devolución del ahorro para personas pensionadas
request-kind-data_correction = Corrección de datos

request-stage-draft = Borrador
request-stage-submitted = Recibida
request-stage-in_review = En revisión
request-stage-needs_correction = Necesita una corrección
request-stage-approved = Aprobada
request-stage-rejected = No procedente
request-stage-done = Concluida
request-stage-cancelled = Cancelada

request-event-draft_saved = Guardaste un borrador
request-event-submitted = Se envió la solicitud
request-event-review_started = Empezamos a revisarla
request-event-correction_requested = Te pedimos una corrección
request-event-resubmitted = Enviaste la corrección
request-event-approved = La aprobamos
request-event-rejected = No fue procedente
request-event-completed = Concluyó el trámite
request-event-cancelled = Se canceló

request-by-member = Tú
request-by-operator = Personal del Infonavit
request-by-system = Proceso automático

request-owner-member = Te toca a ti
request-owner-fund = Le toca al Infonavit
request-owner-nobody = El trámite terminó

request-action-submit = Enviar solicitud
request-action-start_review = Empezar revisión
request-action-ask_for_correction = Pedir una corrección
request-action-resubmit = Enviar corrección
request-action-approve = Aprobar
request-action-reject = Declarar no procedente
request-action-complete = Marcar como concluida
request-action-cancel = Cancelar solicitud

request-promised = Te responderemos a más tardar el { $promised }.
request-days-elapsed = { $elapsed ->
    [one] Ha pasado 1 día hábil desde que la enviaste.
   *[other] Han pasado { $elapsed } días hábiles desde que la enviaste.
}
request-overdue = Ya pasó la fecha compromiso. Si no tienes respuesta, llama a Infonatel y da tu folio.
request-estimate = Este plazo es una estimación: el Infonavit no publica un plazo oficial para este trámite.

## Motivos (por qué no procede, o qué hay que corregir)

request-reason-other = Revisa el detalle en Mis trámites o llama a Infonatel.
request-reason-documents_missing = Falta un documento que pide el trámite.
request-reason-document_illegible = Un documento no se puede leer. Súbelo de nuevo con buena luz y sin recortes.
request-reason-deed_scan_illegible = La copia de la escritura no se puede leer. Súbela de nuevo completa y legible.
request-reason-data_mismatch = Los datos de la solicitud no coinciden con los del registro del Infonavit. Revísalos; si el registro está mal, pide una corrección de datos.
request-reason-balance_not_zero = Tu crédito todavía tiene saldo. La carta se emite cuando el saldo es cero.
request-reason-active_credit = Tienes un crédito vigente con el Infonavit.
request-reason-not_eligible = Todavía no cumples los requisitos de este trámite.
request-reason-clabe_not_in_member_name = La cuenta CLABE no está a tu nombre.

## Avisos por correo y SMS

request-notice-subject = { $kind }, folio { $folio }: { $stage }
request-notice-submitted = Recibimos tu solicitud de { $kind } con folio { $folio }. Te responderemos a más tardar el { $promised }. Puedes ver cómo va en Mis trámites.
request-notice-review_started = Empezamos a revisar tu solicitud de { $kind } con folio { $folio }. Te responderemos a más tardar el { $promised }.
request-notice-correction_requested = Necesitamos que corrijas algo en tu solicitud de { $kind } con folio { $folio }: { $reason } Entra a Mis trámites para hacerlo.
request-notice-resubmitted = Recibimos tu corrección de la solicitud de { $kind } con folio { $folio }.
request-notice-approved = Tu solicitud de { $kind } con folio { $folio } fue aprobada. Te avisaremos cuando concluya.
request-notice-rejected = Tu solicitud de { $kind } con folio { $folio } no fue procedente. Motivo: { $reason } Si tienes dudas, llama a Infonatel y da tu folio.
request-notice-completed = Concluyó tu trámite de { $kind } con folio { $folio }.
request-notice-cancelled = Se canceló tu solicitud de { $kind } con folio { $folio }. Si no fuiste tú, llama a Infonatel.
request-sms-submitted = Infonavit: recibimos tu solicitud, folio { $folio }. Respuesta a mas tardar el { $promised }.
request-sms-correction_requested = Infonavit: tu solicitud { $folio } necesita una correccion. Entra a Mis tramites.
request-sms-approved = Infonavit: tu solicitud { $folio } fue aprobada.
request-sms-rejected = Infonavit: tu solicitud { $folio } no fue procedente. Detalle en Mis tramites.
request-sms-completed = Infonavit: concluyo tu tramite, folio { $folio }.

## Errores

request_not_found = No encontramos una solicitud tuya con ese folio. Revisa que esté bien escrito.
request_closed = Esta solicitud ya terminó: no se puede cambiar.
request_wrong_state = Ya no puedes hacer eso con esta solicitud. Recarga la página para ver cómo va.
request_not_permitted = No puedes hacer esa acción en esta solicitud.
request_already_open = Ya tienes una solicitud de este trámite en proceso. Sigue su avance con tu folio.
request_state_changed = La solicitud cambió mientras la veías. Revísala de nuevo antes de continuar.
request_answers_too_large = La solicitud es demasiado larga. Adjunta los documentos como archivos en lugar de escribirlos.
folio_format = Un folio se ve así: CAN-2026-7KQ2M9XA0. Revisa que esté completo.
folio_check = Una letra o número del folio no coincide. Revisa que esté bien escrito.
