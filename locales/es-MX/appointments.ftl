## Trámites y citas en un Centro de Servicio Infonavit (CESI)

procedures-title = Trámites
procedures-intro = Haz tus trámites en línea. Los que todavía necesitan una visita a una oficina empiezan con una cita.
procedures-available = Trámites disponibles
procedures-coming = Próximamente
procedure-appointments = Citas en un CESI
procedure-appointments-hint = Agenda, cambia o cancela una cita en un Centro de Servicio Infonavit.
procedure-pensioner-refund = Devolución del ahorro para personas pensionadas
procedure-pensioner-refund-hint = Pide la devolución de tu Subcuenta de Vivienda con tu e.firma.
procedure-data-correction = Corrección de datos
procedure-data-correction-hint = Corrige tu nombre, CURP o RFC en los registros del Infonavit.

## Qué se hace en una cita

appointment-procedure-savings_fund_refund = Devolución del Fondo de Ahorro 1972-1992
appointment-procedure-savings_fund_refund-hint = Si trabajaste entre 1972 y 1992 y no has recibido ese ahorro.
appointment-procedure-credit_formalization = Inscripción y formalización de crédito
appointment-procedure-credit_formalization-hint = Para firmar tu crédito una vez aprobado.
appointment-procedure-restructuring = Reestructura de crédito
appointment-procedure-restructuring-hint = Si no puedes pagar tu mensualidad y necesitas cambiar las condiciones.
appointment-procedure-payment_agreement = Convenio de pago
appointment-procedure-payment_agreement-hint = Para ponerte al corriente si tienes pagos atrasados.
appointment-procedure-insurance_release = Liberación de adeudo por seguro (incapacidad o fallecimiento)
appointment-procedure-insurance_release-hint = Cuando el seguro del crédito cubre la deuda.
appointment-procedure-overpayment_refund = Devolución de pagos en exceso
appointment-procedure-overpayment_refund-hint = Si pagaste más de lo que debías a tu crédito.
appointment-procedure-credit_cancellation = Cancelación de crédito
appointment-procedure-credit_cancellation-hint = Si ya no quieres el crédito que solicitaste.
appointment-procedure-identity_validation = Validación de identidad
appointment-procedure-identity_validation-hint = Si ya no puedes entrar al correo de tu cuenta y necesitas registrar uno nuevo.

appointment-bring-official_id = Identificación oficial vigente (INE, pasaporte o cédula profesional)
appointment-bring-curp = CURP
appointment-bring-nss_proof = Un documento con tu Número de Seguridad Social (NSS)
appointment-bring-employment_1972_1992 = Constancia de que trabajaste entre 1972 y 1992 (hoja rosa, recibos o constancia del patrón)
appointment-bring-bank_statement = Estado de cuenta bancario a tu nombre con la CLABE
appointment-bring-birth_certificate = Acta de nacimiento
appointment-bring-credit_application = Solicitud de inscripción de crédito firmada
appointment-bring-credit_number = Tu número de crédito
appointment-bring-proof_of_income = Comprobante de ingresos de los últimos tres meses
appointment-bring-disability_or_death_proof = Dictamen de incapacidad o acta de defunción
appointment-bring-payslips = Recibos de nómina con los descuentos de más

## Errores

slot_full = Ese horario ya se llenó. Elige otro.
appointment_already_booked = Ya tienes una cita pendiente para este trámite. Cámbiala o cancélala antes de agendar otra.
appointment_time_taken = Ya tienes otra cita a esa hora. Elige otro horario.
appointment_in_the_past = Ese día ya pasó. Elige un día a partir de mañana.
appointment_outside_window = Solo puedes agendar a partir de mañana y hasta 30 días después de hoy.
slot_not_offered = La oficina no atiende en ese día u horario. Elige uno de la lista.
appointment_too_late_to_change = La cita es hoy o ya pasó: ya no se puede cambiar ni cancelar en línea. Llama a Infonatel.
appointment_state_changed = La cita cambió mientras la veías. Revísala de nuevo.
appointment_cancelled = Esta cita está cancelada.
appointment_same_slot = Tu cita ya es a esa hora. Elige otro horario.
appointment_not_found = No encontramos esa cita entre las tuyas.
appointment_not_permitted = No puedes hacer esto con esta cita.
office_not_found = No encontramos esa oficina. Elige una de la lista.
procedure_unknown = Elige uno de los trámites de la lista.
member_not_found = No encontramos tus datos en el registro. Llama a Infonatel al 800 008 3900.
state_invalid = Elige un estado de la lista.
appointment-choose-procedure = Elige el trámite que vas a hacer.
appointment-choose-state = Elige el estado donde quieres tu cita.
appointment-choose-office = Elige una oficina.
appointment-choose-day = Elige un día.
appointment-choose-time = Elige un horario.

## Páginas

appointments-title = Mis citas
appointments-intro = Algunos trámites todavía se hacen en un Centro de Servicio Infonavit (CESI). Agenda tu cita aquí: no tiene costo.
appointments-book = Agendar una cita
appointments-upcoming = Próximas citas
appointments-none = No tienes citas próximas.
appointments-past = Citas anteriores y canceladas
appointments-back = Volver a Mis citas
appointment-back = Atrás
appointments-cancelled-notice = Cancelaste la cita { $folio }. El horario quedó libre para otra persona.
appointment-new-title = Agendar una cita
appointment-steps-label = Pasos para agendar una cita
appointment-step-procedure = Trámite
appointment-step-state = Estado
appointment-step-office = Oficina
appointment-step-day = Día
appointment-step-time = Horario
appointment-procedure-question = ¿Qué trámite vas a hacer?
appointment-state-question = ¿En qué estado quieres tu cita?
appointment-office-question = ¿En qué oficina?
appointment-day-question = ¿Qué día?
appointment-time-question = ¿A qué hora?
appointment-no-days = Esta oficina no tiene lugares libres en los próximos 30 días. Elige otra oficina.
appointment-places-left = { $free ->
    [one] queda 1 lugar
   *[other] quedan { $free } lugares
}
appointment-hours = Horario de atención
appointment-check-title = Revisa tu cita antes de confirmarla
appointment-confirm = Confirmar cita
appointment-procedure = Trámite
appointment-office = Oficina
appointment-address = Dirección
appointment-when = Fecha y hora
appointment-time-local = { $time } h, hora local de la oficina
appointment-folio = Folio
appointment-status = Estado
appointment-status-booked = Agendada
appointment-status-cancelled = Cancelada
appointment-status-past = Ya pasó
appointment-channel = Agendada por
appointment-channel-web = Portal Vivienda
appointment-channel-app = App Vivienda
appointment-channel-phone = Infonatel (teléfono)
appointment-channel-cesi = En un CESI
appointment-channel-system = Proceso automático
appointment-title = Tu cita
appointment-booked-title = Cita agendada
appointment-rescheduled-title = Cambiaste tu cita
appointment-booked-next = Te enviamos la confirmación a tu correo y a tu celular. Un día antes te recordaremos la cita.
appointment-bring-title = Qué debes llevar
appointment-bring-receipt = Lleva también tu comprobante, impreso o en tu teléfono.
appointment-receipt = Descargar el comprobante (PDF)
appointment-reschedule = Cambiar fecha u hora
appointment-cancel = Cancelar la cita
appointment-change-until = Puedes cambiarla o cancelarla en línea hasta el día anterior.
appointment-reschedule-title = Cambiar fecha u hora de tu cita
appointment-reschedule-intro = Tu cita actual no cambia hasta que confirmes el nuevo horario.
appointment-reschedule-confirm = Cambiar a este horario
appointment-cancel-title = ¿Cancelar tu cita?
appointment-cancel-warning = Si la cancelas, el horario quedará libre para otra persona.
appointment-cancel-confirm = Sí, cancelar la cita
appointment-cancel-keep = No, conservarla

## Avisos por correo y SMS

appointment-subject-booked = Tu cita en { $office }, folio { $folio }
appointment-subject-rescheduled = Cambiaste tu cita, folio { $folio }
appointment-subject-cancelled = Cancelaste tu cita, folio { $folio }
appointment-subject-reminder = Mañana es tu cita en { $office }, folio { $folio }
appointment-notice-booked = Agendaste una cita para { $procedure } el { $date } a las { $time } h (hora local) en { $office }, { $address }. Tu folio es { $folio }. Descarga tu comprobante en el portal, en Trámites › Citas en un CESI. Si no puedes ir, cámbiala o cancélala a más tardar el día anterior.
appointment-notice-rescheduled = Tu cita para { $procedure } (folio { $folio }) ahora es el { $date } a las { $time } h (hora local) en { $office }, { $address }. Descarga el comprobante nuevo en el portal.
appointment-notice-cancelled = Cancelaste tu cita del { $date } a las { $time } h (hora local) en { $office } (folio { $folio }). Si no fuiste tú, llama a Infonatel al 800 008 3900.
appointment-notice-reminder = Te recordamos tu cita de mañana, { $date }, a las { $time } h (hora local) en { $office }, { $address }, para { $procedure }. Folio { $folio }. Lleva tu identificación oficial y tu comprobante.
appointment-sms-booked = Infonavit: cita { $folio } el { $date } a las { $time } h en { $office }. Puedes cambiarla hasta el dia anterior.
appointment-sms-rescheduled = Infonavit: tu cita { $folio } ahora es el { $date } a las { $time } h en { $office }.
appointment-sms-reminder = Infonavit: mañana a las { $time } h es tu cita { $folio } en { $office }. Lleva tu identificacion.

weekday-1 = lunes
weekday-2 = martes
weekday-3 = miércoles
weekday-4 = jueves
weekday-5 = viernes
weekday-6 = sábado
weekday-7 = domingo
