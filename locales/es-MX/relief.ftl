# Apoyos para pagar el crédito (domain.md §10): programas, cuestionario, decisión.
relief-title = Apoyos para pagar tu crédito
relief-link = Apoyos si perdiste tu empleo o bajaron tus ingresos
relief-intro = Si perdiste tu empleo, tu patrón paró labores o bajaron tus ingresos, puede haber un apoyo para tu crédito. Contesta unas preguntas y te decimos en el momento si aplica, qué cambia en tus pagos mes por mes y hasta cuándo.
relief-open-caption = Apoyos para este crédito hoy
relief-available = Puedes solicitarlo
relief-apply = Contestar las preguntas
relief-not-available = No disponible hoy
relief-retry-on = Puedes volver a intentarlo a partir del { $date }.
relief-no-retry = Por ahora no hay una fecha en la que puedas volver a intentarlo con este apoyo.
relief-grants-caption = Apoyos que has recibido en este crédito
relief-none = Este crédito no ha recibido apoyos.
relief-from-to = Del { $start } al { $end }
relief-months = { $months ->
    [one] 1 mes
   *[other] { $months } meses
}
relief-renewal = Renovación
relief-see = Ver el detalle mes por mes
relief-back = Volver a los apoyos

relief-family-covid2020 = Medidas de protección Covid-19 (2020)
relief-family-covid2020-about = Seguro de desempleo que paga hasta 3 mensualidades, diferimiento de 3 meses sin pagos ni intereses, ambos, o apoyo por paro técnico de tu patrón. Se solicitaban del 15 de abril al 31 de agosto de 2020; la renovación se pide en el mes siguiente a que termina el apoyo.
relief-family-prorroga = Prórroga por pérdida de empleo
relief-family-prorroga-about = Dejas de pagar mientras no tienes empleo: hasta 12 meses seguidos, y hasta 24 meses en toda la vida del crédito si lo recibiste a partir del 1 de julio de 1997 (12 si es anterior). Desde 2025 no genera intereses. Tu patrón deja de descontarte.
relief-family-fpp = Fondo de Protección de Pagos (seguro de desempleo)
relief-family-fpp-about = Para créditos otorgados desde 2009: el fondo paga el 90 % de tu mensualidad y tú el 10 %, hasta 6 meses, una vez cada 5 años. Pide al menos 6 meses trabajados antes y 1 mes sin empleo.

relief-programme-covid_unemployment = Seguro de desempleo (Covid-19)
relief-programme-covid_deferral = Diferimiento de pagos (Covid-19)
relief-programme-covid_combined = Seguro de desempleo y diferimiento de pagos (Covid-19)
relief-programme-covid_stoppage = Apoyo por paro técnico (Covid-19)
relief-programme-prorroga_before_1997 = Prórroga por pérdida de empleo
relief-programme-prorroga = Prórroga por pérdida de empleo
relief-programme-fpp = Fondo de Protección de Pagos

relief-question-title = Preguntas para { $family }
relief-question-situation = ¿Qué te pasó?
relief-situation-job_lost = Perdí mi empleo
relief-situation-employer_stopped = Mi patrón paró labores (paro técnico) y lo declaró formalmente
relief-situation-income_reduced = Bajaron mis ingresos (también si pagas directo, sin patrón)
relief-situation-not_affected = Nada de lo anterior
relief-question-since = ¿Desde cuándo?
relief-question-since-hint = La fecha en que perdiste el empleo, empezó el paro o bajaron tus ingresos. Por ejemplo, 2020-04-15 (año-mes-día).
relief-question-also-defer = Después del seguro de desempleo, también quiero diferir 3 meses mis pagos
relief-question-pension = Mi empleo terminó por pensión o por invalidez
relief-submit = Enviar y conocer la decisión
relief_situation_missing = Elige qué te pasó.
relief_since_missing = Escribe desde cuándo, con año, mes y día, por ejemplo 2020-04-15.
relief_since_invalid = Escribe una fecha que exista, con año, mes y día, por ejemplo 2020-04-15.
relief_since_future = La fecha no puede ser posterior a hoy.
relief_family_unknown = Ese apoyo no existe. Elige uno de la lista.

relief-granted-title = Te otorgamos: { $programme }
relief-already = Este apoyo ya estaba otorgado con la solicitud que enviaste antes; no se aplicó dos veces.
relief-granted-summary = Cubre { $months } del { $start } al { $end }.
relief-suspends = Tu patrón debe dejar de descontarte mientras dure: descarga el aviso de suspensión en Mi crédito y entrégalo en Recursos Humanos.
relief-months-caption = Qué pasa con tu crédito cada mes
relief-col-month = Mes
relief-col-instalment = Mensualidad
relief-col-fund = Paga el fondo
relief-col-you = Pagas tú
relief-col-waived = Intereses que no se cobran
relief-col-balance = Saldo al final del mes
relief-effect-insurance_pays = El seguro paga toda tu mensualidad y no se cobran intereses.
relief-effect-deferral = No pagas nada y tu saldo queda congelado: no se cobran intereses.
relief-effect-deferral_with_interest = No pagas nada, pero los intereses sí se suman a tu saldo.
relief-effect-insurance_then_deferral = Primero el seguro paga tus mensualidades; después difieres tus pagos sin intereses.
relief-effect-interest_waived = No se cobran intereses; lo que se te siga descontando abona completo a tu saldo.
relief-effect-fund_share = El fondo paga la mayor parte de tu mensualidad y tú el resto; los intereses se cobran como siempre.
relief-movements-note = Los pagos del fondo y los intereses que no se cobran aparecen en los movimientos de tu crédito y en tu estado de cuenta, mes por mes.

relief-refused-title = Por ahora no podemos otorgarte el apoyo
relief-refused-why = Por qué:
relief-refusal-window_closed = Este apoyo no se puede solicitar en esta fecha.
relief-refusal-credit_not_active = Tu crédito ya está liquidado o cancelado.
relief-refusal-credit_vintage = Este apoyo no aplica a créditos otorgados en la fecha del tuyo.
relief-refusal-not_affected = Con tus respuestas, este apoyo no aplica a tu caso.
relief-refusal-still_employed = El IMSS todavía reporta que tienes empleo. A veces su información tarda un mes en actualizarse.
relief-refusal-event_before_window = Lo que nos cuentas pasó antes de la fecha que cubre este apoyo.
relief-refusal-relief_active = Ya tienes un apoyo vigente en este crédito.
relief-refusal-months_used_up = Ya usaste todos los meses de este apoyo que permite tu crédito.
relief-refusal-consecutive_limit = Ya usaste los meses seguidos que permite este apoyo; debe pasar al menos un mes sin él.
relief-refusal-once_every_years = Este apoyo se puede recibir una vez cada 5 años.
relief-refusal-too_many_arrears = Tienes más de 3 mensualidades atrasadas. Ponte al corriente y vuelve a intentarlo.
relief-refusal-paid_after_job_loss = Hiciste pagos directos después de perder tu empleo; la prórroga no aplica.
relief-refusal-not_enough_work = Necesitas al menos 6 meses trabajados con patrón antes de perder tu empleo.
relief-refusal-too_soon_unemployed = Necesitas al menos 1 mes sin empleo.
relief-refusal-pension_or_disability = Este apoyo no aplica cuando el empleo terminó por pensión o invalidez.
relief-refusal-stoppage_not_employed = El IMSS no reporta un empleo vigente con el patrón que paró labores.

relief-notice-subject = Tu apoyo para el crédito { $credit }: { $programme }
relief-notice-body = Te otorgamos { $programme } para tu crédito { $credit }, del { $start } al { $end }. En Mi crédito, Apoyos, ves qué cambia en tus pagos mes por mes.
relief_body_invalid = La solicitud no se pudo leer: envía un JSON con family, situation y since.
relief-open-from-to = Se puede solicitar del { $from } al { $to }.
relief-decided-on = Otorgado el { $date }
