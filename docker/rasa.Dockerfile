# Rasa's own image, plus the project's rule that names a model after its training data (nlu-<hash>.tar.gz), so the
# one-shot `train-nlu` service and the `rasa` service of docker-compose.yml agree on the file with the assistant.
FROM rasa/rasa:3.6.21
WORKDIR /opt/assistant
# Only the modules of that rule (standard library only, Python 3.10 syntax); tests/deploy checks they are enough.
COPY assistant/__init__.py assistant/errors.py ./assistant/
COPY assistant/nlu/__init__.py assistant/nlu/errors.py assistant/nlu/rasa_environment.py \
     assistant/nlu/rasa_training.py ./assistant/nlu/
COPY scripts/rasa_model.py ./
COPY nlu_data ./nlu_data
ENV PYTHONPATH=/opt/assistant RASA_TELEMETRY_ENABLED=false
USER root
RUN mkdir -p /models && chown 1001:0 /models
USER 1001
VOLUME ["/models"]
EXPOSE 5005
ENTRYPOINT ["python", "/opt/assistant/rasa_model.py", "--nlu-data", "/opt/assistant/nlu_data", "--models", "/models"]
CMD ["serve"]
